/*
 * main_batch.c: the batch harness (one firmware, many inputs), compiled as main.c in place of
 * the single-run one. As a TF-Lite Micro application that classifies camera frames does, it
 * initialises the interpreter once and then invokes it once per input written into the input
 * tensor; here the inputs come from the emulator through mcu_batch_next() (see probe.h).
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
  tflm_status = status;
  if (status != TFLM_OK) return status;
  while (mcu_batch_next()) {
    MCU_PROBE(MCU_MARK_INFERENCE_BEGIN);
    status = tflm_invoke(&interpreter);
    /* The end code is materialised after the call, as in main.c (gcc would otherwise hoist it
       out of the loop), so that an inference counts exactly the same instructions in both. */
    uint32_t end = MCU_MARK_INFERENCE_END;
    __asm__ volatile("" : "+r"(end));
    MCU_PROBE(end);
    tflm_status = status;
    /* A failed invoke ends the batch: the host reports the status and the input it failed on. */
    if (status != TFLM_OK) return status;
  }
  return 0;
}
