/*
 * main.c: the application around the interpreter, as a TF-Lite Micro example's main is.
 *
 * The model blob and the arena come from the generated model.S: the arena lives in .noinit, and
 * the input and output tensors are exported as `mcu_input` / `mcu_output` aliases of their
 * planned places in the arena, so the emulator fills and reads the tensors TFLM itself uses
 * (as a camera driver writes the input tensor in a TFLM application).
 */
#include <stdint.h>

#include "probe.h"
#include "tflm.h"

#ifndef TFLM_ARENA_BYTES
#error "TFLM_ARENA_BYTES must be defined (arena bytes: head + tail)"
#endif

extern const uint8_t mcu_model_data[];
extern uint8_t tflm_arena[];

static tflm_interpreter interpreter;

/* The last TFLM_* status: 0 after a successful run (read by the host after the halt). */
volatile int32_t tflm_status = -1;

int main(void) {
  MCU_PROBE(MCU_MARK_INIT_BEGIN);
  int status = tflm_init(&interpreter, mcu_model_data, tflm_arena, TFLM_ARENA_BYTES);
  MCU_PROBE(MCU_MARK_INIT_END);
  if (status != TFLM_OK) {
    tflm_status = status;
    return status;
  }
  MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
  status = tflm_invoke(&interpreter);
  MCU_PROBE(MCU_MARK_INFERENCE_END);
  tflm_status = status;
  return status;
}
