/**
 * Facts of the public TFLite flatbuffer schema (`schema.fbs`, file identifier "TFL3") that the
 * reader and writer need: table field slots, enum values and builtin operator names.
 *
 * Slots count every field in declaration order, including deprecated fields; a union field
 * takes two slots (its `_type` byte, then the table offset). `count` is the number of slots the
 * writer allocates (one past the last field it writes).
 *
 * @module
 */

/** The schema version TFLite and TFLM accept (`Model.version`). */
export const SCHEMA_VERSION = 3;

/** Field slots of `Model`. */
export const MODEL = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadataBuffer: 5,
  metadata: 6,
  signatureDefs: 7,
  externalBufferGroups: 8,
  externalBuffers: 9,
  count: 10,
} as const;

/** Field slots of `SubGraph`. */
export const SUBGRAPH = {
  tensors: 0,
  inputs: 1,
  outputs: 2,
  operators: 3,
  name: 4,
  count: 5,
} as const;

/** Field slots of `Tensor`. */
export const TENSOR = {
  shape: 0,
  type: 1,
  buffer: 2,
  name: 3,
  quantization: 4,
  isVariable: 5,
  sparsity: 6,
  shapeSignature: 7,
  hasRank: 8,
  variantTensors: 9,
  externalBuffer: 10,
  count: 5,
} as const;

/** Field slots of `QuantizationParameters`. */
export const QUANTIZATION = {
  min: 0,
  max: 1,
  scale: 2,
  zeroPoint: 3,
  detailsType: 4,
  details: 5,
  quantizedDimension: 6,
  count: 7,
} as const;

/** Field slots of `Buffer`. */
export const BUFFER = { data: 0, offset: 1, size: 2, count: 1 } as const;

/** Field slots of `OperatorCode`. */
export const OPERATOR_CODE = {
  deprecatedBuiltinCode: 0,
  customCode: 1,
  version: 2,
  builtinCode: 3,
  count: 4,
} as const;

/** Field slots of `Operator`. */
export const OPERATOR = {
  opcodeIndex: 0,
  inputs: 1,
  outputs: 2,
  builtinOptionsType: 3,
  builtinOptions: 4,
  customOptions: 5,
  customOptionsFormat: 6,
  mutatingVariableInputs: 7,
  intermediates: 8,
  largeCustomOptionsOffset: 9,
  largeCustomOptionsSize: 10,
  builtinOptions2Type: 11,
  builtinOptions2: 12,
  count: 5,
} as const;

/** `BuiltinOptions` union member numbers (0 is NONE) of the option tables the IR uses. */
export const OPTIONS_TYPE = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  TransposeOptions: 26,
  ReducerOptions: 27,
  SubOptions: 28,
  SqueezeOptions: 30,
  StridedSliceOptions: 32,
  DequantizeOptions: 38,
  MaximumMinimumOptions: 39,
  ExpandDimsOptions: 52,
  ResizeNearestNeighborOptions: 74,
  LeakyReluOptions: 75,
  QuantizeOptions: 89,
  HardSwishOptions: 91,
} as const;

/** Field slots of `Conv2DOptions`. */
export const CONV2D_OPTIONS = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  activation: 3,
  dilationW: 4,
  dilationH: 5,
  count: 6,
} as const;

/** Field slots of `DepthwiseConv2DOptions`. */
export const DEPTHWISE_OPTIONS = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  depthMultiplier: 3,
  activation: 4,
  dilationW: 5,
  dilationH: 6,
  count: 7,
} as const;

/** Field slots of `Pool2DOptions`. */
export const POOL2D_OPTIONS = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  filterW: 3,
  filterH: 4,
  activation: 5,
  count: 6,
} as const;

/** Field slots of `FullyConnectedOptions`. */
export const FC_OPTIONS = {
  activation: 0,
  weightsFormat: 1,
  keepNumDims: 2,
  asymmetricQuantizeInputs: 3,
  count: 3,
} as const;

/** Field slots of the one-field option tables. */
export const SOFTMAX_OPTIONS = { beta: 0, count: 1 } as const;
export const CONCAT_OPTIONS = { axis: 0, activation: 1, count: 2 } as const;
export const ADD_OPTIONS = { activation: 0, potScaleInt16: 1, count: 1 } as const;
export const MUL_OPTIONS = { activation: 0, count: 1 } as const;
export const RESHAPE_OPTIONS = { newShape: 0, count: 1 } as const;
export const REDUCER_OPTIONS = { keepDims: 0, count: 1 } as const;
export const SUB_OPTIONS = { activation: 0, potScaleInt16: 1, count: 1 } as const;
export const LEAKY_RELU_OPTIONS = { alpha: 0, count: 1 } as const;
export const SQUEEZE_OPTIONS = { squeezeDims: 0, count: 1 } as const;

/** Field slots of `StridedSliceOptions`. */
export const STRIDED_SLICE_OPTIONS = {
  beginMask: 0,
  endMask: 1,
  ellipsisMask: 2,
  newAxisMask: 3,
  shrinkAxisMask: 4,
  offset: 5,
  count: 6,
} as const;

/** Field slots of `ResizeNearestNeighborOptions`. */
export const RESIZE_NN_OPTIONS = { alignCorners: 0, halfPixelCenters: 1, count: 2 } as const;

/** `Padding` enum. */
export const PADDING_NAMES = ["SAME", "VALID"] as const;

/** `ActivationFunctionType` enum, by value. */
export const ACTIVATION_NAMES = [
  "NONE",
  "RELU",
  "RELU_N1_TO_1",
  "RELU6",
  "TANH",
  "SIGN_BIT",
] as const;

/** `TensorType` enum, by value. */
export const TENSOR_TYPE_NAMES: readonly string[] = [
  "FLOAT32",
  "FLOAT16",
  "INT32",
  "UINT8",
  "INT64",
  "STRING",
  "BOOL",
  "INT16",
  "COMPLEX64",
  "INT8",
  "FLOAT64",
  "COMPLEX128",
  "UINT64",
  "RESOURCE",
  "VARIANT",
  "UINT32",
  "UINT16",
  "INT4",
  "BFLOAT16",
  "INT2",
  "UINT4",
  "FLOAT8_E4M3FN",
  "FLOAT8_E5M2",
];

/** `BuiltinOperator` codes above which `deprecated_builtin_code` cannot hold the code. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** `BuiltinOperator` enum names, by code (0..209). */
export const BUILTIN_OP_NAMES: readonly string[] = [
  "ADD",
  "AVERAGE_POOL_2D",
  "CONCATENATION",
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "DEPTH_TO_SPACE",
  "DEQUANTIZE",
  "EMBEDDING_LOOKUP",
  "FLOOR",
  "FULLY_CONNECTED",
  "HASHTABLE_LOOKUP",
  "L2_NORMALIZATION",
  "L2_POOL_2D",
  "LOCAL_RESPONSE_NORMALIZATION",
  "LOGISTIC",
  "LSH_PROJECTION",
  "LSTM",
  "MAX_POOL_2D",
  "MUL",
  "RELU",
  "RELU_N1_TO_1",
  "RELU6",
  "RESHAPE",
  "RESIZE_BILINEAR",
  "RNN",
  "SOFTMAX",
  "SPACE_TO_DEPTH",
  "SVDF",
  "TANH",
  "CONCAT_EMBEDDINGS",
  "SKIP_GRAM",
  "CALL",
  "CUSTOM",
  "EMBEDDING_LOOKUP_SPARSE",
  "PAD",
  "UNIDIRECTIONAL_SEQUENCE_RNN",
  "GATHER",
  "BATCH_TO_SPACE_ND",
  "SPACE_TO_BATCH_ND",
  "TRANSPOSE",
  "MEAN",
  "SUB",
  "DIV",
  "SQUEEZE",
  "UNIDIRECTIONAL_SEQUENCE_LSTM",
  "STRIDED_SLICE",
  "BIDIRECTIONAL_SEQUENCE_RNN",
  "EXP",
  "TOPK_V2",
  "SPLIT",
  "LOG_SOFTMAX",
  "DELEGATE",
  "BIDIRECTIONAL_SEQUENCE_LSTM",
  "CAST",
  "PRELU",
  "MAXIMUM",
  "ARG_MAX",
  "MINIMUM",
  "LESS",
  "NEG",
  "PADV2",
  "GREATER",
  "GREATER_EQUAL",
  "LESS_EQUAL",
  "SELECT",
  "SLICE",
  "SIN",
  "TRANSPOSE_CONV",
  "SPARSE_TO_DENSE",
  "TILE",
  "EXPAND_DIMS",
  "EQUAL",
  "NOT_EQUAL",
  "LOG",
  "SUM",
  "SQRT",
  "RSQRT",
  "SHAPE",
  "POW",
  "ARG_MIN",
  "FAKE_QUANT",
  "REDUCE_PROD",
  "REDUCE_MAX",
  "PACK",
  "LOGICAL_OR",
  "ONE_HOT",
  "LOGICAL_AND",
  "LOGICAL_NOT",
  "UNPACK",
  "REDUCE_MIN",
  "FLOOR_DIV",
  "REDUCE_ANY",
  "SQUARE",
  "ZEROS_LIKE",
  "FILL",
  "FLOOR_MOD",
  "RANGE",
  "RESIZE_NEAREST_NEIGHBOR",
  "LEAKY_RELU",
  "SQUARED_DIFFERENCE",
  "MIRROR_PAD",
  "ABS",
  "SPLIT_V",
  "UNIQUE",
  "CEIL",
  "REVERSE_V2",
  "ADD_N",
  "GATHER_ND",
  "COS",
  "WHERE",
  "RANK",
  "ELU",
  "REVERSE_SEQUENCE",
  "MATRIX_DIAG",
  "QUANTIZE",
  "MATRIX_SET_DIAG",
  "ROUND",
  "HARD_SWISH",
  "IF",
  "WHILE",
  "NON_MAX_SUPPRESSION_V4",
  "NON_MAX_SUPPRESSION_V5",
  "SCATTER_ND",
  "SELECT_V2",
  "DENSIFY",
  "SEGMENT_SUM",
  "BATCH_MATMUL",
  "PLACEHOLDER_FOR_GREATER_OP_CODES",
  "CUMSUM",
  "CALL_ONCE",
  "BROADCAST_TO",
  "RFFT2D",
  "CONV_3D",
  "IMAG",
  "REAL",
  "COMPLEX_ABS",
  "HASHTABLE",
  "HASHTABLE_FIND",
  "HASHTABLE_IMPORT",
  "HASHTABLE_SIZE",
  "REDUCE_ALL",
  "CONV_3D_TRANSPOSE",
  "VAR_HANDLE",
  "READ_VARIABLE",
  "ASSIGN_VARIABLE",
  "BROADCAST_ARGS",
  "RANDOM_STANDARD_NORMAL",
  "BUCKETIZE",
  "RANDOM_UNIFORM",
  "MULTINOMIAL",
  "GELU",
  "DYNAMIC_UPDATE_SLICE",
  "RELU_0_TO_1",
  "UNSORTED_SEGMENT_PROD",
  "UNSORTED_SEGMENT_MAX",
  "UNSORTED_SEGMENT_SUM",
  "ATAN2",
  "UNSORTED_SEGMENT_MIN",
  "SIGN",
  "BITCAST",
  "BITWISE_XOR",
  "RIGHT_SHIFT",
  "STABLEHLO_LOGISTIC",
  "STABLEHLO_ADD",
  "STABLEHLO_DIVIDE",
  "STABLEHLO_MULTIPLY",
  "STABLEHLO_MAXIMUM",
  "STABLEHLO_RESHAPE",
  "STABLEHLO_CLAMP",
  "STABLEHLO_CONCATENATE",
  "STABLEHLO_BROADCAST_IN_DIM",
  "STABLEHLO_CONVOLUTION",
  "STABLEHLO_SLICE",
  "STABLEHLO_CUSTOM_CALL",
  "STABLEHLO_REDUCE",
  "STABLEHLO_ABS",
  "STABLEHLO_AND",
  "STABLEHLO_COSINE",
  "STABLEHLO_EXPONENTIAL",
  "STABLEHLO_FLOOR",
  "STABLEHLO_LOG",
  "STABLEHLO_MINIMUM",
  "STABLEHLO_NEGATE",
  "STABLEHLO_OR",
  "STABLEHLO_POWER",
  "STABLEHLO_REMAINDER",
  "STABLEHLO_RSQRT",
  "STABLEHLO_SELECT",
  "STABLEHLO_SUBTRACT",
  "STABLEHLO_TANH",
  "STABLEHLO_SCATTER",
  "STABLEHLO_COMPARE",
  "STABLEHLO_CONVERT",
  "STABLEHLO_DYNAMIC_SLICE",
  "STABLEHLO_DYNAMIC_UPDATE_SLICE",
  "STABLEHLO_PAD",
  "STABLEHLO_IOTA",
  "STABLEHLO_DOT_GENERAL",
  "STABLEHLO_REDUCE_WINDOW",
  "STABLEHLO_SORT",
  "STABLEHLO_WHILE",
  "STABLEHLO_GATHER",
  "STABLEHLO_TRANSPOSE",
  "DILATE",
  "STABLEHLO_RNG_BIT_GENERATOR",
  "REDUCE_WINDOW",
  "STABLEHLO_COMPOSITE",
  "STABLEHLO_SHIFT_LEFT",
  "STABLEHLO_CBRT",
  "STABLEHLO_CASE",
];

/** Name of a builtin operator code, or a placeholder for codes newer than this table. */
export function builtinOpName(code: number): string {
  return BUILTIN_OP_NAMES[code] ?? `BUILTIN_${code}`;
}

/** Builtin operators that refer to other subgraphs. */
export const SUBGRAPH_OPS: ReadonlySet<string> = new Set([
  "CALL",
  "IF",
  "WHILE",
  "CALL_ONCE",
  "STABLEHLO_REDUCE",
  "STABLEHLO_REDUCE_WINDOW",
  "STABLEHLO_SORT",
  "STABLEHLO_WHILE",
  "STABLEHLO_SCATTER",
  "STABLEHLO_COMPOSITE",
  "STABLEHLO_CASE",
]);
