/*
 * slice_resize.c: STRIDED_SLICE and RESIZE_NEAREST_NEIGHBOR (int8 copies, no requantization).
 *
 * STRIDED_SLICE (TFLite strided_slice_logic.h): per axis, begin (negative counts from the end,
 * clamped, or the first element under begin_mask), end (likewise, end_mask; begin + end with
 * offset; begin + 1 for a shrunk axis) and stride; the elements are copied in order. The slice
 * is computed at invoke from the constant begin/end/strides tensors, padded to rank 6.
 * RESIZE_NEAREST_NEIGHBOR (reference_ops::ResizeNearestNeighbor): each output pixel copies the
 * input pixel GetNearestNeighbor picks, computed in float32.
 *
 * Options: STRIDED_SLICE [begin_mask, end_mask, shrink_axis_mask, offset];
 * RESIZE_NEAREST_NEIGHBOR [align_corners, half_pixel_centers].
 */
#include "kernel_util.h"

#define SLICE_RANK 6

static int32_t slice_clamp(int32_t v, int32_t lo, int32_t hi) {
  return v > hi ? hi : (v < lo ? lo : v);
}

static int strided_slice_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  const int32_t *begin = tflm_input(it, node, 1)->data;
  const int32_t *end = tflm_input(it, node, 2)->data;
  const int32_t *strides = tflm_input(it, node, 3)->data;
  const int32_t begin_mask = tflm_option(it, node, 0);
  const int32_t end_mask = tflm_option(it, node, 1);
  const int32_t shrink_mask = tflm_option(it, node, 2);
  const int32_t offset = tflm_option(it, node, 3);
  if (in->type != TFLM_INT8 || in->rank > SLICE_RANK) return TFLM_ERR_UNSUPPORTED;
  int32_t start[SLICE_RANK], step[SLICE_RANK], count[SLICE_RANK], in_stride[SLICE_RANK];
  const int pad = SLICE_RANK - in->rank;
  int32_t s = 1;
  for (int k = SLICE_RANK - 1; k >= 0; k--) {
    const int axis = k - pad;
    const int32_t size = axis >= 0 ? in->dims[axis] : 1;
    in_stride[k] = s;
    s *= size;
    if (axis < 0) {
      start[k] = 0;
      step[k] = 1;
      count[k] = 1;
      continue;
    }
    const int32_t stride = strides[axis];
    const int32_t bit = 1 << axis;
    int32_t b = begin[axis];
    if (b < 0) b += size;
    b = stride > 0 ? slice_clamp(b, 0, size) : slice_clamp(b, -1, size - 1);
    if (begin_mask & bit) b = stride > 0 ? 0 : size - 1;
    int32_t e;
    if (shrink_mask & bit) {
      e = b + 1;
    } else {
      e = end[axis];
      if (offset) e += b;
      if (e < 0) e += size;
      e = stride > 0 ? slice_clamp(e, 0, size) : slice_clamp(e, -1, size - 1);
      if (end_mask & bit) e = stride > 0 ? size : -1;
    }
    const int32_t span = stride > 0 ? e - b : b - e;
    const int32_t mag = stride > 0 ? stride : -stride;
    start[k] = b;
    step[k] = stride;
    count[k] = span > 0 ? (span + mag - 1) / mag : 0;
  }
  const int8_t *x = in->data;
  int8_t *o = out->data;
  uint32_t n = 0;
  for (int32_t i0 = 0, a0 = start[0]; i0 < count[0]; i0++, a0 += step[0])
    for (int32_t i1 = 0, a1 = start[1]; i1 < count[1]; i1++, a1 += step[1])
      for (int32_t i2 = 0, a2 = start[2]; i2 < count[2]; i2++, a2 += step[2])
        for (int32_t i3 = 0, a3 = start[3]; i3 < count[3]; i3++, a3 += step[3])
          for (int32_t i4 = 0, a4 = start[4]; i4 < count[4]; i4++, a4 += step[4]) {
            const int32_t base = a0 * in_stride[0] + a1 * in_stride[1] + a2 * in_stride[2] +
                                 a3 * in_stride[3] + a4 * in_stride[4];
            for (int32_t i5 = 0, a5 = start[5]; i5 < count[5]; i5++, a5 += step[5]) {
              o[n++] = x[base + a5];
            }
          }
  return TFLM_OK;
}

const tflm_registration tflm_register_strided_slice = {NULL, NULL, strided_slice_invoke};

/* ---- RESIZE_NEAREST_NEIGHBOR ------------------------------------------------------------ */

static int32_t nearest_neighbor(int32_t v, int32_t in_size, int32_t out_size, int32_t align,
                                int32_t half) {
  const float scale = (align && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                              : (float)in_size / (float)out_size;
  const float x = ((float)v + (half ? 0.5f : 0.0f)) * scale;
  /* x >= 0: truncation is floor; round half away from zero from the exact fraction. */
  int32_t r = (int32_t)x;
  if (align && x - (float)r >= 0.5f) r += 1;
  if (r > in_size - 1) r = in_size - 1;
  if (half && r < 0) r = 0;
  return r;
}

static int resize_nn_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *out = tflm_output(it, node, 0);
  if (in->type != TFLM_INT8 || in->rank != 4) return TFLM_ERR_UNSUPPORTED;
  const int32_t align = tflm_option(it, node, 0);
  const int32_t half = tflm_option(it, node, 1);
  const int32_t batches = in->dims[0], h = in->dims[1], w = in->dims[2], c = in->dims[3];
  const int32_t oh = out->dims[1], ow = out->dims[2];
  const int8_t *x = in->data;
  int8_t *o = out->data;
  for (int32_t b = 0; b < batches; b++) {
    for (int32_t y = 0; y < oh; y++) {
      const int8_t *row = x + (b * h + nearest_neighbor(y, h, oh, align, half)) * w * c;
      for (int32_t xo = 0; xo < ow; xo++) {
        memcpy(o, row + nearest_neighbor(xo, w, ow, align, half) * c, (size_t)c);
        o += c;
      }
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_resize_nearest_neighbor = {NULL, NULL, resize_nn_invoke};
