/**
 * Quantized Graph builders with deterministic synthetic weights: MobileNetV1/V2, MBConv
 * networks (ProxylessNAS, MCUNet, TinyNAS) from an {@link MbconvArch}, ResNet-8, the published
 * MCUNet configs, and a registry of model names.
 *
 * @example
 * ```ts
 * import { buildModel } from "./mod.ts";
 * const graph = buildModel("mcunet-320kb");
 * if (graph.tensors[graph.inputs[0]!]?.shape[1] !== 176) throw new Error("unexpected");
 * ```
 *
 * @module
 */
export * from "./make_divisible.ts";
export * from "./mbconv.ts";
export * from "./mobilenet_v2.ts";
export * from "./proxyless.ts";
export * from "./mobilenet_v1.ts";
export * from "./resnet.ts";
export * from "./mcunet_config.ts";
export * from "./registry.ts";
export * from "./trained_parameters.ts";
export {
  lstmModel,
  type LstmModelOptions,
  svdfModel,
  type SvdfModelOptions,
} from "./recurrent_models.ts";
export * from "./detection.ts";
export * from "./export_style.ts";
export * from "./attention_block.ts";
