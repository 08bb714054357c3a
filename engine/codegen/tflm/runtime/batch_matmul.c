/*
 * batch_matmul.c: BATCH_MATMUL (int8), TFLM's kernel: Prepare derives one multiplier from
 * float(lhs_scale * rhs_scale) / out_scale and allocates persistent buffers for the operands it
 * transposes (the rhs unless adj_y, so that each output sums two contiguous rows; the lhs when
 * adj_x); a constant rhs is transposed once, at its first invoke. Eval is TFLite's reference
 * BatchMatMul: for each (broadcast) batch, column and row, the int32 sum of
 * (lhs + lhs_offset) * (rhs + rhs_offset), requantized, plus the output zero point, clamped to
 * int8.
 *
 * Options: [adj_x, adj_y].
 */
#include "kernel_util.h"

#define BMM_RANK 5

typedef struct {
  int32_t multiplier, shift;
  int32_t lhs_offset, rhs_offset, out_offset;
  int8_t *lhs_transposed; /* adj_x: the lhs with its last two dimensions swapped */
  int8_t *rhs_transposed; /* !adj_y: the rhs with its last two dimensions swapped */
  int32_t rhs_ready;      /* a constant rhs, once transposed */
} tflm_batch_matmul_data;
_Static_assert(sizeof(tflm_batch_matmul_data) == 32, "_layout.ts: BATCH_MATMUL_DATA_BYTES");

TFLM_OP_DATA_INIT(batch_matmul_init, tflm_batch_matmul_data)

static int batch_matmul_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_batch_matmul_data *d = node->op_data;
  const tflm_tensor_desc *lhs = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *rhs = tflm_input_desc(it, node, 1);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  if (lhs->type != TFLM_INT8 || rhs->type != TFLM_INT8 || out->type != TFLM_INT8) {
    return TFLM_ERR_UNSUPPORTED;
  }
  if (lhs->rank < 2 || lhs->rank > BMM_RANK || rhs->rank < 2 || rhs->rank > BMM_RANK) {
    return TFLM_ERR_UNSUPPORTED;
  }
  /* GetQuantizedConvolutionMultipler: a float32 product, widened, then divided. */
  const float product = (float)tflm_scale(it, lhs, 0) * (float)tflm_scale(it, rhs, 0);
  tflm_quantize_multiplier((double)product / tflm_scale(it, out, 0), &d->multiplier, &d->shift);
  d->lhs_offset = -lhs->zero_point;
  d->rhs_offset = -rhs->zero_point;
  d->out_offset = out->zero_point;
  d->lhs_transposed = NULL;
  d->rhs_transposed = NULL;
  d->rhs_ready = 0;
  if (tflm_option(it, node, 0)) {
    d->lhs_transposed = tflm_alloc_persistent(it, lhs->bytes);
    if (!d->lhs_transposed) return TFLM_ERR_TAIL_OVERFLOW;
  }
  if (!tflm_option(it, node, 1)) {
    d->rhs_transposed = tflm_alloc_persistent(it, rhs->bytes);
    if (!d->rhs_transposed) return TFLM_ERR_TAIL_OVERFLOW;
  }
  return TFLM_OK;
}

/* Swap the last two dimensions of every matrix of `t` into `dst` (reference Transpose). */
static void transpose_rows_columns(const tflm_tensor *t, int8_t *dst) {
  const int32_t rows = t->dims[t->rank - 2], cols = t->dims[t->rank - 1];
  const uint32_t matrices = tflm_elements(t) / (uint32_t)(rows * cols);
  const int8_t *src = (const int8_t *)t->data;
  for (uint32_t m = 0; m < matrices; m++, src += rows * cols, dst += rows * cols) {
    for (int32_t i = 0; i < rows; i++) {
      for (int32_t j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
    }
  }
}

/* `t`'s dimensions extended with leading 1s to rank 5. */
static void extended_dims(const tflm_tensor *t, int32_t dims[BMM_RANK]) {
  for (int i = 0; i < BMM_RANK; i++) {
    const int k = i - (BMM_RANK - t->rank);
    dims[i] = k < 0 ? 1 : t->dims[k];
  }
}

static int batch_matmul_invoke(tflm_interpreter *it, tflm_node *node) {
  tflm_batch_matmul_data *d = node->op_data;
  const tflm_tensor *lhs = tflm_input(it, node, 0);
  const tflm_tensor *rhs = tflm_input(it, node, 1);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int adj_x = tflm_option(it, node, 0), adj_y = tflm_option(it, node, 1);
  int32_t l[BMM_RANK], r[BMM_RANK];
  extended_dims(lhs, l);
  extended_dims(rhs, r);
  const int8_t *lhs_data = (const int8_t *)lhs->data;
  const int8_t *rhs_data = (const int8_t *)rhs->data;
  if (adj_x) {
    transpose_rows_columns(lhs, d->lhs_transposed);
    lhs_data = d->lhs_transposed;
  }
  if (!adj_y) {
    const int rhs_constant = tflm_input_desc(it, node, 1)->is_const;
    if (!rhs_constant || !d->rhs_ready) transpose_rows_columns(rhs, d->rhs_transposed);
    d->rhs_ready = rhs_constant;
    rhs_data = d->rhs_transposed;
  }
  /* After the transpositions: lhs [.., rows, depth], rhs [.., cols, depth]. */
  const int32_t rows = adj_x ? l[4] : l[3], depth = adj_x ? l[3] : l[4];
  const int32_t cols = adj_y ? r[3] : r[4];
  const int32_t lhs_matrix = rows * depth, rhs_matrix = cols * depth;
  const int32_t ls2 = l[2] == 1 ? 0 : lhs_matrix, rs2 = r[2] == 1 ? 0 : rhs_matrix;
  const int32_t ls1 = l[1] == 1 ? 0 : lhs_matrix * l[2], rs1 = r[1] == 1 ? 0 : rhs_matrix * r[2];
  const int32_t ls0 = l[0] == 1 ? 0 : lhs_matrix * l[2] * l[1];
  const int32_t rs0 = r[0] == 1 ? 0 : rhs_matrix * r[2] * r[1];
  const int32_t b0n = l[0] > r[0] ? l[0] : r[0], b1n = l[1] > r[1] ? l[1] : r[1];
  const int32_t b2n = l[2] > r[2] ? l[2] : r[2];
  int8_t *o = (int8_t *)out->data;
  for (int32_t b0 = 0; b0 < b0n; b0++) {
    for (int32_t b1 = 0; b1 < b1n; b1++) {
      for (int32_t b2 = 0; b2 < b2n; b2++) {
        const int8_t *lp = lhs_data + b0 * ls0 + b1 * ls1 + b2 * ls2;
        const int8_t *rp = rhs_data + b0 * rs0 + b1 * rs1 + b2 * rs2;
        for (int32_t j = 0; j < cols; j++) {
          for (int32_t i = 0; i < rows; i++) {
            int32_t total = 0;
            for (int32_t k = 0; k < depth; k++) {
              total += (lp[i * depth + k] + d->lhs_offset) * (rp[j * depth + k] + d->rhs_offset);
            }
            const int32_t v = tflm_requantize(total, d->multiplier, d->shift) + d->out_offset;
            o[i * cols + j] = (int8_t)tflm_clamp(v, -128, 127);
          }
        }
        o += rows * cols;
      }
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_batch_matmul = {batch_matmul_init, batch_matmul_prepare,
                                                       batch_matmul_invoke};
