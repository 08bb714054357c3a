/*
 * interpreter.c: model walk at init, persistent tail allocator, and the invoke loop.
 */
#include <string.h>

#include "probe.h"
#include "tflm.h"

void *tflm_alloc_persistent(tflm_interpreter *it, uint32_t bytes) {
  uint32_t rounded = (bytes + 3u) & ~3u;
  uint8_t *head_end = it->arena + ((const tflm_header *)it->model)->head_bytes;
  if ((uint32_t)(it->tail - head_end) < rounded) return NULL;
  it->tail -= rounded;
  return it->tail;
}

const tflm_tensor_desc *tflm_tensor_desc_at(const tflm_interpreter *it, int32_t index) {
  const tflm_header *h = (const tflm_header *)it->model;
  return (const tflm_tensor_desc *)(it->model + h->tensors_off) + index;
}

static const int32_t *node_io(const tflm_interpreter *it, const tflm_node *node) {
  return (const int32_t *)(it->model + node->desc->io_off);
}

tflm_tensor *tflm_input(const tflm_interpreter *it, const tflm_node *node, int i) {
  int32_t index = node_io(it, node)[i];
  return index < 0 ? NULL : &it->tensors[index];
}

tflm_tensor *tflm_output(const tflm_interpreter *it, const tflm_node *node, int i) {
  return &it->tensors[node_io(it, node)[node->desc->n_inputs + i]];
}

const tflm_tensor_desc *tflm_input_desc(const tflm_interpreter *it, const tflm_node *node, int i) {
  int32_t index = node_io(it, node)[i];
  return index < 0 ? NULL : tflm_tensor_desc_at(it, index);
}

const tflm_tensor_desc *tflm_output_desc(const tflm_interpreter *it, const tflm_node *node,
                                         int i) {
  return tflm_tensor_desc_at(it, node_io(it, node)[node->desc->n_inputs + i]);
}

int32_t tflm_option(const tflm_interpreter *it, const tflm_node *node, int i) {
  return ((const int32_t *)(it->model + node->desc->options_off))[i];
}

double tflm_scale(const tflm_interpreter *it, const tflm_tensor_desc *t, int i) {
  double s;
  memcpy(&s, it->model + t->scales_off + 8u * (uint32_t)i, sizeof s);
  return s;
}

uint32_t tflm_elements(const tflm_tensor *t) {
  uint32_t n = 1;
  for (int i = 0; i < t->rank; i++) n *= (uint32_t)t->dims[i];
  return n;
}

int tflm_init(tflm_interpreter *it, const uint8_t *model, uint8_t *arena, uint32_t arena_bytes) {
  const tflm_header *h = (const tflm_header *)model;
  if (h->magic != TFLM_MAGIC) return TFLM_ERR_MAGIC;
  it->model = model;
  it->arena = arena;
  it->arena_bytes = arena_bytes;
  it->tail = arena + arena_bytes;
  it->n_tensors = h->n_tensors;
  it->n_nodes = h->n_nodes;
  if (h->head_bytes > arena_bytes) return TFLM_ERR_TAIL_OVERFLOW;

  /* Tensor records: constants point into Flash, activations at their planned head offset. */
  it->tensors = tflm_alloc_persistent(it, h->n_tensors * (uint32_t)sizeof(tflm_tensor));
  if (!it->tensors) return TFLM_ERR_TAIL_OVERFLOW;
  const tflm_tensor_desc *descs = (const tflm_tensor_desc *)(model + h->tensors_off);
  for (uint32_t i = 0; i < h->n_tensors; i++) {
    const tflm_tensor_desc *d = &descs[i];
    tflm_tensor *t = &it->tensors[i];
    t->data = d->is_const ? (void *)(model + d->data_off) : (void *)(arena + d->data_off);
    t->dims = (const int32_t *)(model + d->dims_off);
    t->type = d->type;
    t->rank = d->rank;
    t->index = (uint16_t)i;
  }

  /* Node records, then each op's init (persistent data) and prepare. */
  it->nodes = tflm_alloc_persistent(it, h->n_nodes * (uint32_t)sizeof(tflm_node));
  if (!it->nodes) return TFLM_ERR_TAIL_OVERFLOW;
  const tflm_node_desc *nds = (const tflm_node_desc *)(model + h->nodes_off);
  for (uint32_t i = 0; i < h->n_nodes; i++) {
    tflm_node *n = &it->nodes[i];
    n->desc = &nds[i];
    if (nds[i].op >= TFLM_OP_TABLE_SIZE || !tflm_registrations[nds[i].op]) return TFLM_ERR_UNSUPPORTED;
    n->reg = tflm_registrations[nds[i].op];
    n->op_data = NULL;
    n->scratch = nds[i].scratch_bytes ? (void *)(arena + nds[i].scratch_off) : NULL;
  }
  for (uint32_t i = 0; i < h->n_nodes; i++) {
    tflm_node *n = &it->nodes[i];
    if (n->reg->init) {
      n->op_data = n->reg->init(it, n);
      if (!n->op_data) return TFLM_ERR_TAIL_OVERFLOW;
    }
  }
  for (uint32_t i = 0; i < h->n_nodes; i++) {
    tflm_node *n = &it->nodes[i];
    if (n->reg->prepare) {
      int s = n->reg->prepare(it, n);
      if (s != TFLM_OK) return s;
    }
  }
  /* The tail was sized at compile time to exactly what init allocates. */
  if ((uint32_t)(arena + arena_bytes - it->tail) != h->tail_bytes) return TFLM_ERR_TAIL_MISMATCH;
  return TFLM_OK;
}

int tflm_invoke(tflm_interpreter *it) {
  for (uint32_t i = 0; i < it->n_nodes; i++) {
    tflm_node *n = &it->nodes[i];
    MCU_PROBE(MCU_MARK_LAYER_BEGIN(i));
    int s = n->reg->invoke(it, n);
    MCU_PROBE(MCU_MARK_LAYER_END(i));
    if (s != TFLM_OK) return s;
  }
  return TFLM_OK;
}
