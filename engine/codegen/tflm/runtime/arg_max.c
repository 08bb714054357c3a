/*
 * arg_max.c: ARG_MAX (int8 in, int32 or int64 out), TFLite's reference ArgMinMax with
 * std::greater as TFLM runs it: a position replaces the running maximum only when strictly
 * greater, so ties keep the first index. The axis is the constant input 1 (int32 or int64).
 *
 * Options: none (the output type is the output tensor's type).
 */
#include "kernel_util.h"

static int arg_max_invoke(tflm_interpreter *it, tflm_node *node) {
  const tflm_tensor *in = tflm_input(it, node, 0);
  const tflm_tensor *axis_t = tflm_input(it, node, 1);
  tflm_tensor *out = tflm_output(it, node, 0);
  if (in->type != TFLM_INT8) return TFLM_ERR_UNSUPPORTED;
  if (out->type != TFLM_INT32 && out->type != TFLM_INT64) return TFLM_ERR_UNSUPPORTED;
  int32_t axis = axis_t->type == TFLM_INT64 ? (int32_t)((const int64_t *)axis_t->data)[0]
                                            : ((const int32_t *)axis_t->data)[0];
  if (axis < 0) axis += in->rank;
  if (axis < 0 || axis >= in->rank) return TFLM_ERR_UNSUPPORTED;
  int32_t outer = 1, inner = 1;
  for (int32_t i = 0; i < axis; i++) outer *= in->dims[i];
  for (int32_t i = axis + 1; i < in->rank; i++) inner *= in->dims[i];
  const int32_t size = in->dims[axis];
  const int8_t *x = (const int8_t *)in->data;
  for (int32_t a = 0; a < outer; a++) {
    for (int32_t b = 0; b < inner; b++) {
      const int8_t *p = x + a * size * inner + b;
      int8_t best = p[0];
      int32_t index = 0;
      for (int32_t i = 1; i < size; i++) {
        if (p[i * inner] > best) {
          best = p[i * inner];
          index = i;
        }
      }
      const int32_t at = a * inner + b;
      if (out->type == TFLM_INT64) {
        ((int64_t *)out->data)[at] = index;
      } else {
        ((int32_t *)out->data)[at] = index;
      }
    }
  }
  return TFLM_OK;
}

const tflm_registration tflm_register_arg_max = {NULL, NULL, arg_max_invoke};
