/**
 * One definition per operator (`table.ts`: validation, shape inference, MACs, parameters, window,
 * option text, quantization prepare, `.tflite` code and options), graph validation, and the cost
 * functions over them: MACs, parameters, activation bytes.
 *
 * @example
 * ```ts
 * import { graphCost } from "./mod.ts";
 * import { buildModel } from "../builders/mod.ts";
 * const { macs, params } = graphCost(buildModel("resnet8"));
 * if (macs !== 12_501_632 || params !== 77_706) throw new Error("unexpected");
 * ```
 *
 * @module
 */
export * from "./op_def.ts";
export * from "./table.ts";
export * from "./validate.ts";
export { ACTIVATION_NAMES, OPTIONS, PADDING_NAMES } from "./tflite_options.ts";
export * from "./shape.ts";
export * from "./macs.ts";
export * from "./params.ts";
export * from "./activations.ts";
export * from "./graph_cost.ts";
export * from "./window.ts";
export * from "./describe.ts";
export * from "./receptive_field.ts";
export { argMaxAxis } from "./arg_max.ts";
export { batchOffsets, type MatMulGeometry, matMulGeometry } from "./batch_matmul.ts";
