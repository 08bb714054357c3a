/*
 * gelu.c: GELU (int8) through a 256-entry table, as TFLite's kernel: its Prepare fills the
 * table from float math (LUTPopulate over GeluTransform or GeluTransformApproximate) and Eval
 * looks every element up. The table's float math (erfcf, tanhf, float32 products, rounding half
 * away from zero) is done by the compiler (engine/quant geluTable, the reference interpreter's
 * own table), so the Cortex-M4/M7 build links no libm; Prepare copies the 256 entries, passed as
 * 64 option words, into the op data in the persistent tail.
 *
 * Options: the table, four int8 entries per word (entry q + 128 for input q, little-endian).
 */
#include "kernel_util.h"

typedef struct {
  int8_t lut[256];
} tflm_gelu_data;
_Static_assert(sizeof(tflm_gelu_data) == 256, "_layout.ts: GELU_DATA_BYTES");

TFLM_OP_DATA_INIT(gelu_init, tflm_gelu_data)

static int gelu_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_gelu_data *d = node->op_data;
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  if (in->type != TFLM_INT8 || out->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  if (node->desc->n_options != 64) return TFLM_ERR_PREPARE;
  for (int w = 0; w < 64; w++) {
    const uint32_t word = (uint32_t)tflm_option(it, node, w);
    for (int b = 0; b < 4; b++) d->lut[4 * w + b] = (int8_t)(word >> (8 * b));
  }
  return TFLM_OK;
}

static int gelu_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_gelu_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int8_t *x = (const int8_t *)in->data;
  int8_t *o = (int8_t *)out->data;
  const uint32_t n = tflm_elements(in);
  for (uint32_t i = 0; i < n; i++) o[i] = d->lut[x[i] + 128];
  return TFLM_OK;
}

const tflm_registration tflm_register_gelu = {gelu_init, gelu_prepare, gelu_invoke};
