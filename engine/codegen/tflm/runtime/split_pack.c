/*
 * split_pack.c: SPLIT, SPLIT_V, PACK and UNPACK: byte copies between one whole tensor and its
 * pieces along an axis (no requantization: the tensors share one quantization, as in TFLM).
 *
 * Options: SPLIT and SPLIT_V [num_splits] (axis from the constant axis input); PACK
 * [values_count, axis]; UNPACK [num, axis].
 */
#include "kernel_util.h"

/* Rows of `whole` before the axis and bytes per unit of the axis. */
static void axis_geometry(const tflm_tensor *whole, int32_t axis, uint32_t elem, uint32_t *outer,
                          uint32_t *inner) {
  uint32_t o = 1, n = elem;
  for (int32_t i = 0; i < axis; i++) o *= (uint32_t)whole->dims[i];
  for (int32_t i = axis + 1; i < whole->rank; i++) n *= (uint32_t)whole->dims[i];
  *outer = o;
  *inner = n;
}

static uint32_t type_bytes(uint8_t type) {
  return type == TFLM_INT16 ? 2 : type == TFLM_INT32 || type == TFLM_FLOAT32 ? 4
         : type == TFLM_INT64                                          ? 8
                                                                       : 1;
}

/*
 * Copy between `whole` and the node's pieces (inputs from `first_in` when `gather`, else its
 * outputs); piece k spans `units(k)` of the axis (`per_piece_units` 0: its own dims[axis]).
 */
static int copy_pieces(tflm_interpreter *it, tflm_node *node, tflm_tensor *whole, int32_t axis,
                       int gather, int per_piece_units) {
  if (axis < 0) axis += whole->rank;
  if (axis < 0 || axis >= whole->rank) return TFLM_ERR_UNSUPPORTED;
  uint32_t outer, inner;
  axis_geometry(whole, axis, type_bytes(whole->type), &outer, &inner);
  const uint32_t row = (uint32_t)whole->dims[axis] * inner;
  const int n = gather ? node->desc->n_inputs : node->desc->n_outputs;
  uint32_t offset = 0;
  for (int k = 0; k < n; k++) {
    tflm_tensor *p = gather ? tflm_input(it, node, k) : tflm_output(it, node, k);
    const uint32_t units = per_piece_units ? (uint32_t)per_piece_units : (uint32_t)p->dims[axis];
    const uint32_t chunk = units * inner;
    uint8_t *w = (uint8_t *)whole->data + offset;
    uint8_t *q = p->data;
    for (uint32_t o = 0; o < outer; o++, w += row, q += chunk) {
      if (gather) memcpy(w, q, chunk);
      else memcpy(q, w, chunk);
    }
    offset += chunk;
  }
  return TFLM_OK;
}

static int32_t axis_input(tflm_interpreter *it, tflm_node *node, int i) {
  return *(const int32_t *)tflm_input(it, node, i)->data;
}

static int split_invoke(tflm_interpreter *it, tflm_node *node) {
  return copy_pieces(it, node, tflm_input(it, node, 1), axis_input(it, node, 0), 0, 0);
}

static int split_v_invoke(tflm_interpreter *it, tflm_node *node) {
  return copy_pieces(it, node, tflm_input(it, node, 0), axis_input(it, node, 2), 0, 0);
}

static int pack_invoke(tflm_interpreter *it, tflm_node *node) {
  return copy_pieces(it, node, tflm_output(it, node, 0), tflm_option(it, node, 1), 1, 1);
}

static int unpack_invoke(tflm_interpreter *it, tflm_node *node) {
  return copy_pieces(it, node, tflm_input(it, node, 0), tflm_option(it, node, 1), 0, 1);
}

const tflm_registration tflm_register_split = {NULL, NULL, split_invoke};
const tflm_registration tflm_register_split_v = {NULL, NULL, split_v_invoke};
const tflm_registration tflm_register_pack = {NULL, NULL, pack_invoke};
const tflm_registration tflm_register_unpack = {NULL, NULL, unpack_invoke};
