/*
 * registrations.c: the op resolver, one registration per op code (the order of TFLM_OP_*).
 *
 * Like a MicroMutableOpResolver that only adds the ops a model uses, an op is linked in only when
 * the build defines TFLM_USE_<OP> (the backend passes one define per op of the model), so the
 * Flash figure carries the kernels the model needs and no others.
 */
#include "tflm.h"

#define TFLM_OPS(X)                                 \
  X(CONV_2D, conv_2d)                               \
  X(DEPTHWISE_CONV_2D, depthwise_conv_2d)           \
  X(FULLY_CONNECTED, fully_connected)               \
  X(ADD, add)                                       \
  X(MUL, mul)                                       \
  X(AVERAGE_POOL_2D, average_pool_2d)               \
  X(MAX_POOL_2D, max_pool_2d)                       \
  X(MEAN, mean)                                     \
  X(PAD, pad)                                       \
  X(RESHAPE, reshape)                               \
  X(SOFTMAX, softmax)                               \
  X(LOGISTIC, logistic)                             \
  X(QUANTIZE, quantize)                             \
  X(DEQUANTIZE, dequantize)                         \
  X(TRANSPOSE, transpose)                           \
  X(CONCATENATION, concatenation)                   \
  X(HARD_SWISH, hard_swish)                         \
  X(RELU, relu)                                     \
  X(RELU6, relu6)                                   \
  X(RELU_N1_TO_1, relu_n1_to_1)                     \
  X(LEAKY_RELU, leaky_relu)                         \
  X(TANH, tanh)                                     \
  X(SUB, sub)                                       \
  X(MAXIMUM, maximum)                               \
  X(MINIMUM, minimum)                               \
  X(STRIDED_SLICE, strided_slice)                   \
  X(RESIZE_NEAREST_NEIGHBOR, resize_nearest_neighbor)           \
  X(LOG_SOFTMAX, log_softmax)                                   \
  X(UNIDIRECTIONAL_SEQUENCE_LSTM, unidirectional_sequence_lstm) \
  X(SVDF, svdf) \
  X(SPLIT, split)                                   \
  X(SPLIT_V, split_v)                               \
  X(PACK, pack)                                     \
  X(UNPACK, unpack)                                 \
  X(RSQRT, rsqrt)                                   \
  X(SQUARED_DIFFERENCE, squared_difference)         \
  X(PRELU, prelu)                                   \
  X(ARG_MAX, arg_max)                               \
  X(BATCH_MATMUL, batch_matmul)                     \
  X(GELU, gelu)

#define DECLARE(OP, op) extern const tflm_registration tflm_register_##op;
TFLM_OPS(DECLARE)

const tflm_registration *const tflm_registrations[TFLM_OP_TABLE_SIZE] = {
#ifdef TFLM_USE_CONV_2D
    [TFLM_OP_CONV_2D] = &tflm_register_conv_2d,
#endif
#ifdef TFLM_USE_DEPTHWISE_CONV_2D
    [TFLM_OP_DEPTHWISE_CONV_2D] = &tflm_register_depthwise_conv_2d,
#endif
#ifdef TFLM_USE_FULLY_CONNECTED
    [TFLM_OP_FULLY_CONNECTED] = &tflm_register_fully_connected,
#endif
#ifdef TFLM_USE_ADD
    [TFLM_OP_ADD] = &tflm_register_add,
#endif
#ifdef TFLM_USE_MUL
    [TFLM_OP_MUL] = &tflm_register_mul,
#endif
#ifdef TFLM_USE_AVERAGE_POOL_2D
    [TFLM_OP_AVERAGE_POOL_2D] = &tflm_register_average_pool_2d,
#endif
#ifdef TFLM_USE_MAX_POOL_2D
    [TFLM_OP_MAX_POOL_2D] = &tflm_register_max_pool_2d,
#endif
#ifdef TFLM_USE_MEAN
    [TFLM_OP_MEAN] = &tflm_register_mean,
#endif
#ifdef TFLM_USE_PAD
    [TFLM_OP_PAD] = &tflm_register_pad,
#endif
#ifdef TFLM_USE_RESHAPE
    [TFLM_OP_RESHAPE] = &tflm_register_reshape,
#endif
#ifdef TFLM_USE_SOFTMAX
    [TFLM_OP_SOFTMAX] = &tflm_register_softmax,
#endif
#ifdef TFLM_USE_LOGISTIC
    [TFLM_OP_LOGISTIC] = &tflm_register_logistic,
#endif
#ifdef TFLM_USE_QUANTIZE
    [TFLM_OP_QUANTIZE] = &tflm_register_quantize,
#endif
#ifdef TFLM_USE_DEQUANTIZE
    [TFLM_OP_DEQUANTIZE] = &tflm_register_dequantize,
#endif
#ifdef TFLM_USE_TRANSPOSE
    [TFLM_OP_TRANSPOSE] = &tflm_register_transpose,
#endif
#ifdef TFLM_USE_CONCATENATION
    [TFLM_OP_CONCATENATION] = &tflm_register_concatenation,
#endif
#ifdef TFLM_USE_HARD_SWISH
    [TFLM_OP_HARD_SWISH] = &tflm_register_hard_swish,
#endif
#ifdef TFLM_USE_RELU
    [TFLM_OP_RELU] = &tflm_register_relu,
#endif
#ifdef TFLM_USE_RELU6
    [TFLM_OP_RELU6] = &tflm_register_relu6,
#endif
#ifdef TFLM_USE_RELU_N1_TO_1
    [TFLM_OP_RELU_N1_TO_1] = &tflm_register_relu_n1_to_1,
#endif
#ifdef TFLM_USE_LEAKY_RELU
    [TFLM_OP_LEAKY_RELU] = &tflm_register_leaky_relu,
#endif
#ifdef TFLM_USE_TANH
    [TFLM_OP_TANH] = &tflm_register_tanh,
#endif
#ifdef TFLM_USE_SUB
    [TFLM_OP_SUB] = &tflm_register_sub,
#endif
#ifdef TFLM_USE_MAXIMUM
    [TFLM_OP_MAXIMUM] = &tflm_register_maximum,
#endif
#ifdef TFLM_USE_MINIMUM
    [TFLM_OP_MINIMUM] = &tflm_register_minimum,
#endif
#ifdef TFLM_USE_STRIDED_SLICE
    [TFLM_OP_STRIDED_SLICE] = &tflm_register_strided_slice,
#endif
#ifdef TFLM_USE_RESIZE_NEAREST_NEIGHBOR
    [TFLM_OP_RESIZE_NEAREST_NEIGHBOR] = &tflm_register_resize_nearest_neighbor,
#endif
#ifdef TFLM_USE_LOG_SOFTMAX
    [TFLM_OP_LOG_SOFTMAX] = &tflm_register_log_softmax,
#endif
#ifdef TFLM_USE_UNIDIRECTIONAL_SEQUENCE_LSTM
    [TFLM_OP_UNIDIRECTIONAL_SEQUENCE_LSTM] = &tflm_register_unidirectional_sequence_lstm,
#endif
#ifdef TFLM_USE_SVDF
    [TFLM_OP_SVDF] = &tflm_register_svdf,
#endif
#ifdef TFLM_USE_SPLIT
    [TFLM_OP_SPLIT] = &tflm_register_split,
#endif
#ifdef TFLM_USE_SPLIT_V
    [TFLM_OP_SPLIT_V] = &tflm_register_split_v,
#endif
#ifdef TFLM_USE_PACK
    [TFLM_OP_PACK] = &tflm_register_pack,
#endif
#ifdef TFLM_USE_UNPACK
    [TFLM_OP_UNPACK] = &tflm_register_unpack,
#endif
#ifdef TFLM_USE_RSQRT
    [TFLM_OP_RSQRT] = &tflm_register_rsqrt,
#endif
#ifdef TFLM_USE_SQUARED_DIFFERENCE
    [TFLM_OP_SQUARED_DIFFERENCE] = &tflm_register_squared_difference,
#endif
#ifdef TFLM_USE_PRELU
    [TFLM_OP_PRELU] = &tflm_register_prelu,
#endif
#ifdef TFLM_USE_ARG_MAX
    [TFLM_OP_ARG_MAX] = &tflm_register_arg_max,
#endif
#ifdef TFLM_USE_BATCH_MATMUL
    [TFLM_OP_BATCH_MATMUL] = &tflm_register_batch_matmul,
#endif
#ifdef TFLM_USE_GELU
    [TFLM_OP_GELU] = &tflm_register_gelu,
#endif
};
