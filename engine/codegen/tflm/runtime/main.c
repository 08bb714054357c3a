/*
 * main.c: the application around the interpreter, as a TF-Lite Micro example's main is.
 *
 * The model blob and the arena come from the generated model.S: the arena lives in .noinit, and
 * the input and output tensors are exported as `mcu_input` / `mcu_output` aliases of their
 * planned places in the arena, so the emulator fills and reads the tensors TFLM itself uses
 * (as a camera driver writes the input tensor in a TFLM application).
 *
 * With TFLM_BATCH_HARNESS defined (the batch harness: one firmware, many inputs), main works as
 * a TF-Lite Micro application that classifies camera frames does: it initialises the interpreter
 * once and then invokes it once per input written into the input tensor; here the inputs come
 * from the emulator through mcu_batch_next() (see probe.h).
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

#ifndef TFLM_BATCH_HARNESS
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
#else
int main(void) {
  MCU_PROBE(MCU_MARK_INIT_BEGIN);
  int status = tflm_init(&interpreter, mcu_model_data, tflm_arena, TFLM_ARENA_BYTES);
  MCU_PROBE(MCU_MARK_INIT_END);
  tflm_status = status;
  if (status != TFLM_OK) return status;
  while (mcu_batch_next()) {
    MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
    status = tflm_invoke(&interpreter);
    /* The end code is materialised after the call, as in the single run (gcc would otherwise
       hoist it out of the loop), so that an inference counts exactly the same instructions. */
    uint32_t end = MCU_MARK_INFERENCE_END;
    __asm__ volatile("" : "+r"(end));
    MCU_PROBE(end);
    tflm_status = status;
    /* A failed invoke ends the batch: the host reports the status and the input it failed on. */
    if (status != TFLM_OK) return status;
  }
  return 0;
}
#endif
