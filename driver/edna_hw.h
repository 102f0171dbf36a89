/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_HW_H__
#define __EDNA_HW_H__

#include "edna_drv.h"

/**
 * struct edna_hw_queue_state - a queue as the device sees it, for debugfs
 * @head: HEAD
 * @tail: TAIL
 * @done_seq: DONE_SEQ
 * @ctrl: CTRL
 * @status: STATUS
 * @progress: PROGRESS
 * @jobs: JOBS
 * @busy_cycles: BUSY_CYCLES
 */
struct edna_hw_queue_state {
	u32 head;
	u32 tail;
	u32 done_seq;
	u32 ctrl;
	u32 status;
	u32 progress;
	u32 jobs;
	u64 busy_cycles;
};

/**
 * struct edna_hw_counters - the device's activity counters
 * @ops: descriptors and graph ops executed
 * @macs: multiply-accumulates
 * @bytes: bytes moved, by region and direction (0 read, 1 write)
 * @energy_uj: energy, microjoules
 * @cycles: device cycles since reset
 */
struct edna_hw_counters {
	u64 ops;
	u64 macs;
	u64 bytes[EDNA_REGION_COUNT][2];
	u64 energy_uj;
	u64 cycles;
};

int edna_hw_probe(struct edna_device *edev);
int edna_hw_init(struct edna_device *edev);
int edna_hw_reset(struct edna_device *edev, u32 abort_status);
void edna_hw_fini(struct edna_device *edev);
void edna_hw_power_off(struct edna_device *edev);
int edna_hw_power_up(struct edna_device *edev);
void edna_hw_set_power(struct edna_device *edev, u32 state);
u64 edna_hw_energy_uj(struct edna_device *edev);

int edna_hw_submit(struct edna_device *edev, u32 queue, const struct edna_hw_desc *desc,
		   edna_hw_done_fn done, void *data);
int edna_hw_queue_reset(struct edna_device *edev, u32 queue);
void edna_hw_doorbell(struct edna_device *edev, u32 queue);
bool edna_hw_ring_idle(struct edna_device *edev, u32 queue);
void edna_hw_ring_poll(struct edna_device *edev, u32 queue);
u32 edna_hw_ring_entries(struct edna_device *edev, u32 queue);
u32 edna_hw_ring_space(struct edna_device *edev, u32 queue);
u32 edna_hw_queue_progress(struct edna_device *edev, u32 queue);
void edna_hw_queue_state(struct edna_device *edev, u32 queue, struct edna_hw_queue_state *st);

void edna_hw_ctx_load(struct edna_device *edev, u32 ctx, dma_addr_t root);
int edna_hw_ctx_clear(struct edna_device *edev, u32 ctx);
int edna_hw_mmu_invalidate(struct edna_device *edev, u32 ctx);

void edna_hw_counters(struct edna_device *edev, struct edna_hw_counters *cnt);
u32 edna_hw_irq_mask(struct edna_device *edev);
void edna_hw_set_irq_mask(struct edna_device *edev, u32 mask);
u32 edna_hw_irq_pending(struct edna_device *edev);

#endif /* __EDNA_HW_H__ */
