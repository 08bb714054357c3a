/*
 * recurrent.c: UNIDIRECTIONAL_SEQUENCE_LSTM and SVDF with TF-Lite Micro's integer arithmetic
 * (the shared loops of fixtures/firmware/recurrent.h).
 *
 * Prepare computes what TFLM's Prepare does from the float scales: per gate, the int8 -> int16
 * (Q3.12) multipliers of the input and recurrent products (GetQuantizedConvolutionMultipler: a
 * float32 product of the scales, widened, over 2^-12); the three int16 products' multipliers
 * (CreateInterGateMulParams, in double); the cell state's power of two for the tanh; the
 * quantized cell clip. SVDF: the two effective scales as float32 expressions (PrepareSvdf).
 *
 * The state tensors are constants holding the reset value: invoke copies them into its scratch
 * buffer and works there, so every run starts from the reset state (TFLM after
 * ResetVariableTensors). Scratch: LSTM hidden (int8, 4-aligned) + cell (int16) + 5 rows of int16
 * gate buffers; SVDF state (int16) + one int32 per filter.
 *
 * Options: LSTM [cell_clip (float32 bits), time_major]; SVDF [rank].
 */
#include <string.h>

#include "kernel_util.h"
#include "recurrent.h"

_Static_assert(sizeof(mcu_lstm_params) == 188, "LSTM op data size (engine/codegen/tflm/_layout.ts)");
_Static_assert(sizeof(mcu_svdf_params) == 52, "SVDF op data size (engine/codegen/tflm/_layout.ts)");

static const int32_t *dims_of(const tflm_interpreter *it, const tflm_tensor_desc *t) {
  return (const int32_t *)(it->model + t->dims_off);
}

static void *lstm_init(tflm_interpreter *it, tflm_node *node) {
  (void)node;
  return tflm_alloc_persistent(it, sizeof(mcu_lstm_params));
}

static void set_mul(int32_t *m, double s1, double s2, double out, int32_t offset, int int8) {
  tflm_quantize_multiplier((s1 * s2) / out, &m[0], &m[1]);
  m[2] = offset;
  m[3] = int8 ? -128 : -32768;
  m[4] = int8 ? 127 : 32767;
}

static int lstm_prepare(tflm_interpreter *it, tflm_node *node) {
  mcu_lstm_params *p = node->op_data;
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *hidden = tflm_input_desc(it, node, 18);
  const tflm_tensor_desc *cell = tflm_input_desc(it, node, 19);
  if (in->type != TFLM_INT8 || hidden->type != TFLM_INT8 || cell->type != TFLM_INT16) {
    return TFLM_ERR_UNSUPPORTED;
  }
  const int32_t *d = dims_of(it, in);
  p->time_major = tflm_option(it, node, 1);
  p->batch = p->time_major ? d[1] : d[0];
  p->time = p->time_major ? d[0] : d[1];
  p->input = d[2];
  p->state = dims_of(it, tflm_input_desc(it, node, 5))[0];
  const double in_scale = tflm_scale(it, in, 0), h_scale = tflm_scale(it, hidden, 0);
  const double gate_in = 1.0 / 4096.0, gate_out = 1.0 / 32768.0;
  for (int g = 0; g < 4; g++) {
    const float wi = (float)tflm_scale(it, tflm_input_desc(it, node, 1 + g), 0);
    const float wr = (float)tflm_scale(it, tflm_input_desc(it, node, 5 + g), 0);
    tflm_quantize_multiplier((double)((float)in_scale * wi) / gate_in, &p->fc_mult[g][0],
                             &p->fc_shift[g][0]);
    tflm_quantize_multiplier((double)((float)h_scale * wr) / gate_in, &p->fc_mult[g][1],
                             &p->fc_shift[g][1]);
    p->fc_offset[g][0] = -in->zero_point;
    p->fc_offset[g][1] = -hidden->zero_point;
  }
  /* The cell scale must be 2^power: its double has an empty mantissa. */
  const double c_scale = tflm_scale(it, cell, 0);
  uint64_t bits;
  memcpy(&bits, &c_scale, sizeof bits);
  if ((bits & 0xFFFFFFFFFFFFFull) != 0 || (bits >> 63) != 0) return TFLM_ERR_PREPARE;
  const int32_t power = (int32_t)((bits >> 52) & 0x7FF) - 1023;
  const int32_t shift = 15 + power - 3;
  p->tanh_mult = shift < 0 ? 3 : 3 << shift;
  p->tanh_shift = shift < 0 ? -shift : 0;
  set_mul(p->mul[0], gate_out, c_scale, c_scale, 0, 0);
  set_mul(p->mul[1], gate_out, gate_out, c_scale, 0, 0);
  set_mul(p->mul[2], gate_out, gate_out, h_scale, hidden->zero_point, 1);
  const int32_t clip_bits = tflm_option(it, node, 0);
  float clip;
  memcpy(&clip, &clip_bits, sizeof clip);
  if (clip > 0.0f) {
    double q = (double)clip / c_scale;
    q = q < -32768.0 ? -32768.0 : (q > 32767.0 ? 32767.0 : q);
    p->cell_clip = (int32_t)(int16_t)q;
  } else {
    p->cell_clip = 0;
  }
  return TFLM_OK;
}

static int lstm_invoke(tflm_interpreter *it, tflm_node *node) {
  const mcu_lstm_params *p = node->op_data;
  const int32_t states = p->batch * p->state;
  int8_t *hidden = node->scratch;
  int16_t *cell = (int16_t *)(hidden + ((states + 3) & ~3));
  int16_t *gates = cell + ((states + 1) & ~1);
  memcpy(hidden, tflm_input(it, node, 18)->data, (size_t)states);
  memcpy(cell, tflm_input(it, node, 19)->data, (size_t)states * 2u);
  const int8_t *w_in[4], *w_rec[4];
  const int32_t *bias[4];
  for (int g = 0; g < 4; g++) {
    w_in[g] = tflm_input(it, node, 1 + g)->data;
    w_rec[g] = tflm_input(it, node, 5 + g)->data;
    bias[g] = tflm_input(it, node, 12 + g)->data;
  }
  mcu_lstm_run(p, tflm_input(it, node, 0)->data, w_in, w_rec, bias, hidden, cell,
               tflm_output(it, node, 0)->data, gates);
  return TFLM_OK;
}

const tflm_registration tflm_register_unidirectional_sequence_lstm = {lstm_init, lstm_prepare,
                                                                      lstm_invoke};

static void *svdf_init(tflm_interpreter *it, tflm_node *node) {
  (void)node;
  return tflm_alloc_persistent(it, sizeof(mcu_svdf_params));
}

static int svdf_prepare(tflm_interpreter *it, tflm_node *node) {
  mcu_svdf_params *p = node->op_data;
  const tflm_tensor_desc *in = tflm_input_desc(it, node, 0);
  const tflm_tensor_desc *feature = tflm_input_desc(it, node, 1);
  const tflm_tensor_desc *time = tflm_input_desc(it, node, 2);
  const tflm_tensor_desc *state = tflm_input_desc(it, node, 4);
  const tflm_tensor_desc *out = tflm_output_desc(it, node, 0);
  if (in->type != TFLM_INT8 || time->type != TFLM_INT16 || state->type != TFLM_INT16) {
    return TFLM_ERR_UNSUPPORTED;
  }
  p->batch = dims_of(it, in)[0];
  p->input = dims_of(it, in)[1];
  p->filters = dims_of(it, feature)[0];
  p->memory = dims_of(it, time)[1];
  p->rank = tflm_option(it, node, 0);
  p->units = p->filters / p->rank;
  p->input_zp = in->zero_point;
  p->state_zp = state->zero_point;
  p->output_zp = out->zero_point;
  const float s_in = (float)tflm_scale(it, in, 0), s_f = (float)tflm_scale(it, feature, 0);
  const float s_t = (float)tflm_scale(it, time, 0), s_s = (float)tflm_scale(it, state, 0);
  const float s_out = (float)tflm_scale(it, out, 0);
  const float e1 = s_in * s_f / s_s, e2 = s_s * s_t / s_out;
  tflm_quantize_multiplier((double)e1, &p->mult1, &p->shift1);
  tflm_quantize_multiplier((double)e2, &p->mult2, &p->shift2);
  return TFLM_OK;
}

static int svdf_invoke(tflm_interpreter *it, tflm_node *node) {
  const mcu_svdf_params *p = node->op_data;
  const int32_t states = p->batch * p->filters * p->memory;
  int16_t *state = node->scratch;
  int32_t *scratch = (int32_t *)(state + ((states + 1) & ~1));
  memcpy(state, tflm_input(it, node, 4)->data, (size_t)states * 2u);
  const tflm_tensor *bias = tflm_input(it, node, 3);
  mcu_svdf_run(p, tflm_input(it, node, 0)->data, tflm_input(it, node, 1)->data,
               tflm_input(it, node, 2)->data, bias ? bias->data : NULL, state,
               tflm_output(it, node, 0)->data, scratch);
  return TFLM_OK;
}

const tflm_registration tflm_register_svdf = {svdf_init, svdf_prepare, svdf_invoke};
