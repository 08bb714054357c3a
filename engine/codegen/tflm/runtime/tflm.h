/*
 * tflm.h: a TF-Lite Micro style interpreter for mcunet-bench (hand-written, fixed; not generated).
 *
 * The model is data in Flash: a serialized table of tensors and nodes (written by
 * engine/codegen/tflm/serialize.ts) followed by the constant tensors. The interpreter walks it
 * at init: it allocates tensor records, node records and per-op data in the persistent tail of
 * the arena, runs each op's init and prepare (per-channel multipliers and shifts are computed
 * there from the float scales, as TFLM's Prepare does), and points every activation at its
 * planned offset in the non-persistent head. Invoke dispatches each node through a registration
 * table of {init, prepare, invoke} function pointers.
 *
 * Arena layout (one buffer, no gaps):
 *
 *   | head: activations + scratch (planned at compile time) | tail: persistent, grows down |
 *   ^ arena                                                  ^ arena + head      arena end ^
 *
 * The blob layout is documented in serialize.ts; every field is little-endian and 4-aligned.
 */
#ifndef TFLM_H
#define TFLM_H

#include <stddef.h>
#include <stdint.h>

#define TFLM_MAGIC 0x314D4654u /* "TFM1" */

/* Status codes (returned by init and invoke; 0 is success). */
#define TFLM_OK 0
#define TFLM_ERR_MAGIC 1
#define TFLM_ERR_TAIL_OVERFLOW 2
#define TFLM_ERR_TAIL_MISMATCH 3
#define TFLM_ERR_UNSUPPORTED 4
#define TFLM_ERR_SCRATCH 5
#define TFLM_ERR_PREPARE 6

/* Element types (match serialize.ts). */
enum {
  TFLM_INT8 = 0,
  TFLM_UINT8 = 1,
  TFLM_INT16 = 2,
  TFLM_INT32 = 3,
  TFLM_INT64 = 4,
  TFLM_FLOAT32 = 5,
  TFLM_BOOL = 6,
};

/* Operator codes (match serialize.ts). */
enum {
  TFLM_OP_CONV_2D = 0,
  TFLM_OP_DEPTHWISE_CONV_2D,
  TFLM_OP_FULLY_CONNECTED,
  TFLM_OP_ADD,
  TFLM_OP_MUL,
  TFLM_OP_AVERAGE_POOL_2D,
  TFLM_OP_MAX_POOL_2D,
  TFLM_OP_MEAN,
  TFLM_OP_PAD,
  TFLM_OP_RESHAPE,
  TFLM_OP_SOFTMAX,
  TFLM_OP_LOGISTIC,
  TFLM_OP_QUANTIZE,
  TFLM_OP_DEQUANTIZE,
  TFLM_OP_TRANSPOSE,
  TFLM_OP_CONCATENATION,
  TFLM_OP_HARD_SWISH,
  TFLM_OP_RELU,
  TFLM_OP_RELU6,
  TFLM_OP_RELU_N1_TO_1,
  TFLM_OP_LEAKY_RELU,
  TFLM_OP_TANH,
  TFLM_OP_SUB,
  TFLM_OP_MAXIMUM,
  TFLM_OP_MINIMUM,
  TFLM_OP_STRIDED_SLICE,
  TFLM_OP_RESIZE_NEAREST_NEIGHBOR,
  TFLM_OP_LOG_SOFTMAX,
  TFLM_OP_UNIDIRECTIONAL_SEQUENCE_LSTM,
  TFLM_OP_SVDF,
  TFLM_OP_SPLIT,
  TFLM_OP_SPLIT_V,
  TFLM_OP_PACK,
  TFLM_OP_UNPACK,
  TFLM_OP_RSQRT,
  TFLM_OP_SQUARED_DIFFERENCE,
  TFLM_OP_PRELU,
  TFLM_OP_ARG_MAX,
  TFLM_OP_BATCH_MATMUL,
  TFLM_OP_GELU,
  TFLM_OP_COUNT
};

/*
 * Entries of the registration table: by default the codes up to HARD_SWISH; a model using a
 * later op gets TFLM_OP_TABLE_SIZE (its highest op code + 1) from the backend, so a model's Flash
 * does not grow with ops it does not use.
 */
#ifndef TFLM_OP_TABLE_SIZE
#define TFLM_OP_TABLE_SIZE (TFLM_OP_HARD_SWISH + 1)
#endif

/* Fused activations (match serialize.ts). */
enum { TFLM_ACT_NONE = 0, TFLM_ACT_RELU, TFLM_ACT_RELU6, TFLM_ACT_RELU_N1_TO_1 };

/* Blob header, at offset 0 of the model data. */
typedef struct {
  uint32_t magic;
  uint32_t n_tensors;
  uint32_t n_nodes;
  uint32_t tensors_off; /* tflm_tensor_desc[n_tensors] */
  uint32_t nodes_off;   /* tflm_node_desc[n_nodes] */
  uint32_t head_bytes;  /* planned non-persistent bytes */
  uint32_t tail_bytes;  /* persistent bytes init will allocate */
  uint32_t reserved;
} tflm_header;

/* A tensor as serialized (32 bytes). */
typedef struct {
  uint8_t type;
  uint8_t rank;
  uint8_t is_const;
  uint8_t reserved;
  uint32_t dims_off;   /* int32 dims[rank] in the blob */
  uint32_t data_off;   /* constant: offset in the blob; activation: offset in the arena head */
  uint32_t bytes;
  uint32_t n_scales;   /* 0 when not quantized */
  uint32_t scales_off; /* double scales[n_scales] in the blob (8-aligned) */
  int32_t zero_point;
  int32_t quant_axis;
} tflm_tensor_desc;

/* A node as serialized (24 bytes). */
typedef struct {
  uint16_t op;
  uint8_t n_inputs;
  uint8_t n_outputs;
  uint32_t io_off;      /* int32 tensor indices: inputs then outputs (-1: absent) */
  uint32_t options_off; /* int32 options words (see each kernel) */
  uint32_t n_options;
  uint32_t scratch_off;   /* planned head offset of the op's scratch buffer */
  uint32_t scratch_bytes; /* planned scratch bytes (0: none) */
} tflm_node_desc;

/* The runtime tensor record in the tail (12 bytes, as TfLiteEvalTensor). */
typedef struct {
  void *data;
  const int32_t *dims;
  uint8_t type;
  uint8_t rank;
  uint16_t index;
} tflm_tensor;

/* The runtime node record in the tail (16 bytes). */
struct tflm_registration;
typedef struct {
  const tflm_node_desc *desc;
  const struct tflm_registration *reg;
  void *op_data;
  void *scratch;
} tflm_node;

/* The interpreter: lives in .bss (like a MicroInterpreter object). */
typedef struct {
  const uint8_t *model;
  uint8_t *arena;
  uint32_t arena_bytes;
  uint8_t *tail; /* lowest persistent byte allocated so far */
  tflm_tensor *tensors;
  tflm_node *nodes;
  uint32_t n_tensors;
  uint32_t n_nodes;
} tflm_interpreter;

/* An operator implementation, looked up by op code (like TFLMRegistration). */
typedef struct tflm_registration {
  /* Allocate persistent per-op data; may be NULL. */
  void *(*init)(tflm_interpreter *it, tflm_node *node);
  /* Compute parameters into the op data; may be NULL. */
  int (*prepare)(tflm_interpreter *it, tflm_node *node);
  int (*invoke)(tflm_interpreter *it, tflm_node *node);
} tflm_registration;

/* Set up the interpreter (between the init probes); returns a TFLM_* status. */
int tflm_init(tflm_interpreter *it, const uint8_t *model, uint8_t *arena, uint32_t arena_bytes);
/* Run every node (between the inference probes, one layer marker pair per node). */
int tflm_invoke(tflm_interpreter *it);

/* Allocate persistent bytes from the tail (rounded up to 4); NULL when the arena is full. */
void *tflm_alloc_persistent(tflm_interpreter *it, uint32_t bytes);

/* Accessors for kernels. */
const tflm_tensor_desc *tflm_tensor_desc_at(const tflm_interpreter *it, int32_t index);
tflm_tensor *tflm_input(const tflm_interpreter *it, const tflm_node *node, int i);
tflm_tensor *tflm_output(const tflm_interpreter *it, const tflm_node *node, int i);
const tflm_tensor_desc *tflm_input_desc(const tflm_interpreter *it, const tflm_node *node, int i);
const tflm_tensor_desc *tflm_output_desc(const tflm_interpreter *it, const tflm_node *node,
                                         int i);
int32_t tflm_option(const tflm_interpreter *it, const tflm_node *node, int i);
double tflm_scale(const tflm_interpreter *it, const tflm_tensor_desc *t, int i);
uint32_t tflm_elements(const tflm_tensor *t);

/* Quantization helpers (quant.c): bit-exact with TFLite's quantization_util. */
void tflm_quantize_multiplier(double m, int32_t *multiplier, int32_t *shift);
void tflm_activation_range(int activation, double scale, int32_t zero_point, int32_t *min,
                           int32_t *max);
double tflm_round(double x);

/* The op table (kernels.c). */
extern const tflm_registration *const tflm_registrations[TFLM_OP_TABLE_SIZE];

#endif /* TFLM_H */
