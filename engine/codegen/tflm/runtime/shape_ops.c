/*
 * shape_ops.c: RESHAPE (a copy: TFLM does not alias), PAD, TRANSPOSE, CONCATENATION and MEAN.
 *
 * Options: CONCATENATION [axis]; MEAN [keep_dims]; the others none (paddings, perm and axes are
 * constant int32 input tensors).
 */
#include "kernel_util.h"

#define MAX_RANK 6

static uint32_t type_bytes(uint8_t type) {
  switch (type) {
    case TFLM_INT16:
      return 2;
    case TFLM_INT32:
    case TFLM_FLOAT32:
      return 4;
    case TFLM_INT64:
      return 8;
    default:
      return 1;
  }
}

/* ---- RESHAPE ---------------------------------------------------------------------------- */

static int reshape_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  if (in->data != out->data) memcpy(out->data, in->data, tflm_elements(in) * type_bytes(in->type));
  return TFLM_OK;
}

const tflm_registration tflm_register_reshape = {NULL, NULL, reshape_invoke};

/* ---- PAD -------------------------------------------------------------------------------- */

static int pad_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *paddings = tflm_input(it, node, 1);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const tflm_tensor_desc *od = tflm_output_desc(it, node, 0);
  const int rank = in->rank;
  /* The paddings are int32 or int64 (exporters write either), as in TFLM. */
  int32_t p[2 * MAX_RANK];
  for (int i = 0; i < 2 * rank; i++) {
    p[i] = paddings->type == TFLM_INT64 ? (int32_t)((const int64_t *)paddings->data)[i]
                                        : ((const int32_t *)paddings->data)[i];
  }
  const uint32_t size = type_bytes(in->type);
  uint8_t *dst = out->data;
  const uint8_t *src = in->data;
  const uint32_t total = tflm_elements(out) * size;
  memset(dst, in->type == TFLM_INT8 ? (od->zero_point & 0xFF) : 0, total);
  if (rank == 0) {
    memcpy(dst, src, size);
    return TFLM_OK;
  }
  uint32_t out_strides[MAX_RANK];
  uint32_t s = size;
  for (int i = rank - 1; i >= 0; i--) {
    out_strides[i] = s;
    s *= (uint32_t)out->dims[i];
  }
  const uint32_t inner = (uint32_t)in->dims[rank - 1] * size;
  uint32_t rows = 1;
  for (int i = 0; i < rank - 1; i++) rows *= (uint32_t)in->dims[i];
  int32_t counter[MAX_RANK] = {0};
  for (uint32_t r = 0; r < rows; r++) {
    uint32_t offset = (uint32_t)p[2 * (rank - 1)] * size;
    for (int i = 0; i < rank - 1; i++) offset += (uint32_t)(counter[i] + p[2 * i]) * out_strides[i];
    memcpy(dst + offset, src + r * inner, inner);
    for (int i = rank - 2; i >= 0; i--) {
      if (++counter[i] < in->dims[i]) break;
      counter[i] = 0;
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_pad = {NULL, NULL, pad_invoke};

/* ---- TRANSPOSE -------------------------------------------------------------------------- */

static int transpose_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *perm_t = tflm_input(it, node, 1);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int32_t *perm = perm_t->data;
  const int rank = in->rank;
  const uint32_t size = type_bytes(in->type);
  int32_t in_strides[MAX_RANK], step[MAX_RANK], counter[MAX_RANK] = {0};
  int32_t s = 1;
  for (int i = rank - 1; i >= 0; i--) {
    in_strides[i] = s;
    s *= in->dims[i];
  }
  for (int i = 0; i < rank; i++) step[i] = in_strides[perm[i]];
  const uint8_t *src = in->data;
  uint8_t *dst = out->data;
  int32_t idx = 0;
  for (int32_t k = 0; k < s; k++) {
    if (size == 1) {
      dst[k] = src[idx];
    } else {
      memcpy(dst + (uint32_t)k * size, src + (uint32_t)idx * size, size);
    }
    for (int ax = rank - 1; ax >= 0; ax--) {
      idx += step[ax];
      if (++counter[ax] < in->dims[perm[ax]]) break;
      idx -= step[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_transpose = {NULL, NULL, transpose_invoke};

/* ---- CONCATENATION ---------------------------------------------------------------------- */

/* Per input: {multiplier, shift, in_zero_point, identity} (16 bytes each). */
static void *concat_init(tflm_interpreter *it, tflm_node *node) {
  return tflm_alloc_persistent(it, (uint32_t)node->desc->n_inputs * 16u);
}

static int concat_prepare(tflm_interpreter *it, tflm_node *node) {
  int32_t *d = node->op_data;
  const tflm_tensor_desc *od = tflm_output_desc(it, node, 0);
  for (int i = 0; i < node->desc->n_inputs; i++) {
    const tflm_tensor_desc *id = tflm_input_desc(it, node, i);
    int32_t *e = d + 4 * i;
    if (od->type != TFLM_INT8 || od->n_scales == 0) {
      e[3] = 1;
      continue;
    }
    const float is = (float)tflm_scale(it, id, 0), os = (float)tflm_scale(it, od, 0);
    e[3] = is == os && id->zero_point == od->zero_point;
    e[2] = id->zero_point;
    tflm_quantize_multiplier((double)is / (double)os, &e[0], &e[1]);
  }
  return TFLM_OK;
}

static int concat_invoke(tflm_interpreter *it, tflm_node *node) {
  const int32_t *d = node->op_data;
  const tflm_tensor *out = tflm_output(it, node, 0);
  const tflm_tensor_desc *od = tflm_output_desc(it, node, 0);
  const int rank = out->rank;
  int32_t axis = tflm_option(it, node, 0);
  if (axis < 0) axis += rank;
  const uint32_t size = type_bytes(out->type);
  uint32_t outer = 1, inner = size;
  for (int i = 0; i < axis; i++) outer *= (uint32_t)out->dims[i];
  for (int i = axis + 1; i < rank; i++) inner *= (uint32_t)out->dims[i];
  const uint32_t out_row = (uint32_t)out->dims[axis] * inner;
  uint8_t *dst = out->data;
  uint32_t offset = 0;
  for (int i = 0; i < node->desc->n_inputs; i++) {
    const tflm_tensor *in = tflm_input(it, node, i);
    const int32_t *e = d + 4 * i;
    const uint32_t chunk = (uint32_t)in->dims[axis] * inner;
    const uint8_t *src = in->data;
    for (uint32_t o = 0; o < outer; o++) {
      if (e[3]) {
        memcpy(dst + o * out_row + offset, src + o * chunk, chunk);
      } else {
        const int8_t *s8 = (const int8_t *)src + o * chunk;
        int8_t *d8 = (int8_t *)dst + o * out_row + offset;
        for (uint32_t k = 0; k < chunk; k++) {
          const int32_t v = tflm_requantize(s8[k] - e[2], e[0], e[1]) + od->zero_point;
          d8[k] = (int8_t)tflm_clamp(v, -128, 127);
        }
      }
    }
    offset += chunk;
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_concatenation = {concat_init, concat_prepare,
                                                       concat_invoke};

/* ---- MEAN ------------------------------------------------------------------------------- */

TFLM_OP_DATA_INIT(mean_init, tflm_requant_data)

/* Bit mask of the reduced axes (resolved from the constant axes tensor). */
static uint32_t mean_axes(const tflm_interpreter *it, const tflm_node *node, int rank) {
  const tflm_tensor *axes = tflm_input(it, node, 1);
  const int32_t *a = axes->data;
  const uint32_t n = tflm_elements(axes);
  uint32_t mask = 0;
  for (uint32_t i = 0; i < n; i++) mask |= 1u << (a[i] < 0 ? a[i] + rank : a[i]);
  return mask;
}

static int mean_prepare(tflm_interpreter *it, tflm_node *node) {
  tflm_requant_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor_desc *id = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *od = tflm_output_desc(it, node, 0);
  if (id->type != TFLM_INT8 || od->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  const uint32_t mask = mean_axes(it, node, in->rank);
  int32_t count = 1;
  for (int i = 0; i < in->rank; i++) {
    if (mask & (1u << i)) count *= in->dims[i];
  }
  int32_t m, s;
  tflm_quantize_multiplier(
      (double)(float)tflm_scale(it, id, 0) / (double)(float)tflm_scale(it, od, 0), &m, &s);
  /* Fold 1/count in: k = min(floor(log2(count)), 32, 31 + shift). */
  int32_t k = 31 - __builtin_clz((uint32_t)count);
  if (k > 32) k = 32;
  if (k > 31 + s) k = 31 + s;
  d->multiplier = (int32_t)(((int64_t)m << k) / count);
  d->shift = s - k;
  d->in_zero_point = id->zero_point;
  d->out_zero_point = od->zero_point;
  d->extra[0] = count;
  d->extra[1] = (int32_t)mask;
  /* int32 sums, one per output element, in a scratch buffer (as TFLM's reduce requests). */
  if (node->desc->scratch_bytes != (uint32_t)(count ? tflm_elements(in) / (uint32_t)count : 0) * 4u) {
    return TFLM_ERR_SCRATCH;
  }
  return TFLM_OK;
}

static int mean_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_requant_data *d = node->op_data;
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int rank = in->rank;
  const uint32_t mask = (uint32_t)d->extra[1];
  int32_t strides[MAX_RANK], counter[MAX_RANK] = {0};
  int32_t stride = 1;
  for (int i = rank - 1; i >= 0; i--) {
    strides[i] = (mask & (1u << i)) ? 0 : stride;
    if (!(mask & (1u << i))) stride *= in->dims[i];
  }
  const int32_t out_count = stride;
  int32_t *sums = (int32_t *)node->scratch;
  int8_t *o = out->data;
  const int8_t *x = in->data;
  const uint32_t n = tflm_elements(in);
  for (int32_t i = 0; i < out_count; i++) sums[i] = 0;
  int32_t idx = 0;
  for (uint32_t k = 0; k < n; k++) {
    sums[idx] += x[k];
    for (int ax = rank - 1; ax >= 0; ax--) {
      idx += strides[ax];
      if (++counter[ax] < in->dims[ax]) break;
      idx -= strides[ax] * counter[ax];
      counter[ax] = 0;
    }
  }
  for (int32_t i = 0; i < out_count; i++) {
    const int32_t shifted = sums[i] - d->in_zero_point * d->extra[0];
    const int32_t v = tflm_requantize(shifted, d->multiplier, d->shift) + d->out_zero_point;
    o[i] = (int8_t)tflm_clamp(v, -128, 127);
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_mean = {mean_init, mean_prepare, mean_invoke};
