/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_SIM_H__
#define __EDNA_SIM_H__

#include <linux/atomic.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/regmap.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "../edna_regs.h"

struct platform_device;
struct irq_domain;
struct dentry;
struct page;

/* Number of power states of EDNA_REG_POWER_MW */
#define EDNA_SIM_PSTATES	3

/*
 * Fixed cost of one descriptor: fetch, decode and status write-back take
 * about as long as one PCIe round trip plus a few hundred device cycles.
 */
#define EDNA_SIM_JOB_OVERHEAD_NS	500

/**
 * struct edna_sim_params - the shape of one simulated device
 * @num_queues: command queues
 * @num_contexts: MMU contexts
 * @sram_kib: on-chip SRAM
 * @dram_kib: device DRAM
 * @clock_mhz: device clock
 * @macs_per_cycle: peak multiply-accumulates per cycle
 * @bw_mbps: peak bandwidth per memory target in MB/s (10^6 bytes)
 * @power_mw: power per power state
 * @power_up_us: latency of OFF -> ACTIVE
 * @pj_per_byte: dynamic energy per byte moved, per target
 * @pj_per_mac: dynamic energy per multiply-accumulate
 *
 * Set from module parameters at creation; constant afterwards.
 */
struct edna_sim_params {
	u32 num_queues;
	u32 num_contexts;
	u32 sram_kib;
	u32 dram_kib;
	u32 clock_mhz;
	u32 macs_per_cycle;
	u32 bw_mbps[EDNA_NUM_TARGETS];
	u32 power_mw[EDNA_SIM_PSTATES];
	u32 power_up_us;
	u32 pj_per_byte[EDNA_NUM_TARGETS];
	u32 pj_per_mac;
};

struct edna_sim;

/**
 * enum edna_sim_inject - a fault armed on a queue through debugfs
 * @EDNA_SIM_INJECT_NONE: none
 * @EDNA_SIM_INJECT_MMU_FAULT: every access of the job faults, UNMAPPED
 * @EDNA_SIM_INJECT_BUS_ERROR: every access of the job is a bus error
 * @EDNA_SIM_INJECT_DEV_ERROR: fetching the job halts the device with
 *	EDNA_DEV_ERROR_INTERNAL; the job stays on the queue, BUSY
 */
enum edna_sim_inject {
	EDNA_SIM_INJECT_NONE,
	EDNA_SIM_INJECT_MMU_FAULT,
	EDNA_SIM_INJECT_BUS_ERROR,
	EDNA_SIM_INJECT_DEV_ERROR,
};

/**
 * struct edna_sim_queue - one command queue
 * @sim: the device
 * @index: queue number
 * @work: the queue's fetch/execute engine; runs on @sim->wq
 *
 * Everything below is protected by @sim->lock.
 *
 * @ring: RING_HI:RING_LO, bus address of the ring
 * @size: RING_SIZE, entries; 0 or a power of two
 * @head: HEAD, free-running count of completed entries
 * @tail: TAIL, free-running count of submitted entries
 * @done_seq: DONE_SEQ, seq of the last completed descriptor
 * @ctrl: CTRL, only EDNA_Q_CTRL_ENABLE is stored
 * @status: STATUS
 * @progress: PROGRESS, units of work done since the queue reset
 * @jobs: JOBS
 * @busy_cycles: BUSY_CYCLES
 * @running: @work owns a job: between fetching a ring entry and
 *	completing or abandoning it.  A reset of the queue is deferred while
 *	set (CTRL reads back RESET)
 * @reset_pending: a queue or device reset waits for @work to let go of
 *	its job; register writes to the queue are ignored meanwhile
 * @hang_armed: debugfs: the next job fetched stalls
 * @inject: debugfs: how the next job fetched fails, enum edna_sim_inject
 * @hung: the fetched job stalls: BUSY, no progress, until reset
 * @inv_pending: an MMU invalidation waits for @work to finish the chunk
 *	it is in, which may use translations from before it
 * @scratch: @work's memory for a graph's attention scores,
 *	EDNA_GRAPH_MAX_SEQ floats; only @work uses it
 */
struct edna_sim_queue {
	struct edna_sim *sim;
	unsigned int index;
	struct work_struct work;

	u64 ring;
	u32 size;
	u32 head;
	u32 tail;
	u32 done_seq;
	u32 ctrl;
	u32 status;
	u32 progress;
	u32 jobs;
	u64 busy_cycles;
	bool running;
	bool reset_pending;
	bool hang_armed;
	u8 inject;
	bool hung;
	bool inv_pending;
	float *scratch;
};

/**
 * struct edna_sim - one simulated edna device
 * @index: instance number, also the platform device id
 * @params: its shape
 * @parent: owner of @regmap; the platform device's parent
 * @pdev: the platform device the edna driver binds to
 * @regmap: the register map the bus sees, served by edna_sim_regs.c
 * @fwnode: names @domain
 * @domain: the interrupt controller of this device, one line
 * @irq_work: delivers the line from interrupt context
 * @wq: runs the device's "firmware": boot, and one engine per queue
 * @boot_work: completes a reset or a power-up, the way firmware boot would
 * @debugfs: this device's knobs
 * @chunk_delay_us: fault injection: sleep after each chunk of a job
 * @ops_cpu: EDNA_OPS_CPU_* the op kernels may use on this CPU
 * @fail_resets: fault injection: the next this many device resets fail,
 *	the device halts instead of booting.  The model takes one with
 *	atomic_dec_if_positive(), under @lock; debugfs sets it without
 * @lose_irqs: fault injection: the next this many times the device would
 *	assert its interrupt line it does not; the causes stay pending in
 *	IRQ_STATUS.  Taken and set as @fail_resets
 * @fail_power_ups: fault injection: the next this many power-ups fail the
 *	same way.  Taken and set as @fail_resets
 * @power_up_extra_us: fault injection: a power-up takes this much longer
 *	than POWER_UP_US says
 * @mmio_all_ones: fault injection: the bus reads every register as
 *	0xffffffff, as it does from a PCIe device that fell off the bus;
 *	writes still reach the model.  Read without @lock: a register read
 *	races the knob as a read on silicon races the link going down
 * @share_lock: serialises the second device on the line: attaching,
 *	detaching and raising.  Taken before @lock
 * @share_attached: fault injection: a second device's handler is on the
 *	interrupt line, requested IRQF_SHARED; under @share_lock
 * @share_pending: interrupts the second device raised that its handler
 *	has not claimed yet; under @lock
 * @share_handled: interrupts the second device's handler claimed; under
 *	@lock
 * @mem: device memories by target (DRAM, SRAM; HOST is NULL), allocated
 *	at creation.  The pointers are constant; the contents are written by
 *	the queue engines without locks (concurrent jobs writing the same
 *	bytes is undefined, as on silicon) and zeroed by @boot_work after a
 *	power-off while no engine can run
 * @mem_size: size of @mem in bytes, by target
 * @mem_used: end of the highest page of @mem translated since the last
 *	power-up, by target: what a power-up must zero.  Raised by the engines
 *	without @lock (atomic maximum), reset by @boot_work
 * @queues: the command queues; the first params.num_queues exist
 * @lock: protects everything below and the registers of @queues; taken
 *	with interrupts off because regmap calls back with its own spinlock
 *	held and @irq_work takes it in hard interrupt context.  Never held
 *	while job data is copied
 * @dying: the device is being destroyed: nothing is queued on @wq any more
 * @reset_gen: incremented by every device reset and power-off; a job
 *	fetched before it is abandoned and its work is not counted after it
 * @mem_lost: power went OFF: @boot_work zeroes @mem before READY
 * @power_up_ns: ktime of the last power-up, which READY follows no sooner
 *	than POWER_UP_US later
 * @dev_status: DEV_STATUS
 * @handshake: HANDSHAKE
 * @dev_error: DEV_ERROR latch, first error wins
 * @irq_status: IRQ_STATUS
 * @irq_mask: IRQ_MASK
 * @scratch: SCRATCH
 * @power_state: POWER_STATUS (and POWER_CTRL)
 * @fault_va: MMU_FAULT_VA latch
 * @fault_info: MMU_FAULT_INFO latch; the latch is full when it has
 *	EDNA_FAULT_VALID
 * @ctx_root: CTX_ROOT_HI:LO per context, params.num_contexts entries
 * @state_ns: ktime up to which @active_ns and the static energy of the
 *	power state are counted (edna_sim_power_sync_locked())
 * @active_ns: time spent ACTIVE since the last reset or power-up: the
 *	clock runs only then, CNT_CYCLES = @active_ns * CLOCK_MHZ / 1000
 * @cnt_ops: CNT_OPS
 * @cnt_macs: CNT_MACS
 * @cnt_bytes: CNT_BYTES by target and direction (0 read, 1 write)
 * @cnt_energy_uj: CNT_ENERGY_UJ
 * @energy_pj: energy not yet a whole microjoule, < 10^6 pJ
 */
struct edna_sim {
	int index;
	struct edna_sim_params params;
	struct device *parent;
	struct platform_device *pdev;
	struct regmap *regmap;
	struct fwnode_handle *fwnode;
	struct irq_domain *domain;
	struct irq_work irq_work;
	struct workqueue_struct *wq;
	struct work_struct boot_work;
	struct dentry *debugfs;
	u32 chunk_delay_us;
	u32 ops_cpu;
	atomic_t fail_resets;
	atomic_t lose_irqs;
	atomic_t fail_power_ups;
	u32 power_up_extra_us;
	bool mmio_all_ones;
	struct mutex share_lock;	/* see @share_lock above */
	bool share_attached;
	u32 share_pending;
	u64 share_handled;
	u8 *mem[EDNA_NUM_TARGETS];
	u64 mem_size[EDNA_NUM_TARGETS];
	atomic64_t mem_used[EDNA_NUM_TARGETS];
	struct edna_sim_queue queues[EDNA_MAX_QUEUES];

	spinlock_t lock;	/* see @lock above */
	bool dying;
	u32 reset_gen;
	bool mem_lost;
	u64 power_up_ns;
	u32 dev_status;
	u32 handshake;
	u32 dev_error;
	u32 irq_status;
	u32 irq_mask;
	u32 scratch;
	u32 power_state;
	u64 fault_va;
	u32 fault_info;
	u64 *ctx_root;
	u64 state_ns;
	u64 active_ns;
	u64 cnt_ops;
	u64 cnt_macs;
	u64 cnt_bytes[EDNA_NUM_TARGETS][2];
	u64 cnt_energy_uj;
	u32 energy_pj;
};

/**
 * struct edna_sim_addr - a translated device address
 * @target: EDNA_TARGET_*
 * @addr: bus address (host) or byte offset (DRAM, SRAM)
 * @page: the host page holding @addr; host only
 */
struct edna_sim_addr {
	u32 target;
	u64 addr;
	struct page *page;
};

/**
 * struct edna_sim_job - the job a queue engine is executing
 * @q: its queue
 * @gen: sim->reset_gen when it was fetched
 * @slot_page: host page of its ring entry, for the status write-back
 * @slot_off: offset of the ring entry in @slot_page
 * @op: descriptor fields in CPU byte order
 * @flags: see @op
 * @ctx: see @op
 * @seq: see @op
 * @pattern: see @op
 * @src: see @op
 * @dst: see @op
 * @size: see @op
 * @job_seqno: see @op
 * @result_va: see @op
 * @reserved: the descriptor's reserved words are not zero
 * @root: CTX_ROOT of @ctx, sampled at each chunk boundary
 * @start_ns: ktime the engine claimed the job: it ends no sooner than its
 *	modeled time later
 * @bytes: bytes moved by the job, by target and direction (0 read)
 * @pending: bytes moved since the last chunk boundary, not yet counted
 * @pending_units: units of work done since the last chunk boundary
 * @macs: multiply-accumulates done by the job
 * @pending_macs: multiply-accumulates since the last chunk boundary
 * @status: EDNA_JOB_*, written back to the descriptor
 * @fault: the job stopped at a translation fault or bus error
 * @fault_va: the VA of the access that faulted
 * @fault_info: MMU_FAULT_INFO of the fault, VALID included
 * @op_index: GRAPH: the op being run, or that failed
 * @graph_error: GRAPH: enum drm_edna_graph_error of a rejected graph
 * @inject: enum edna_sim_inject armed on the queue when the job was
 *	fetched: every access of the job fails with that fault
 *
 * Private to the queue's engine; on its stack.
 */
struct edna_sim_job {
	struct edna_sim_queue *q;
	u32 gen;
	struct page *slot_page;
	unsigned int slot_off;
	u32 op;
	u32 flags;
	u32 ctx;
	u32 seq;
	u32 pattern;
	u64 src;
	u64 dst;
	u64 size;
	u64 job_seqno;
	u64 result_va;
	bool reserved;
	u64 root;
	u64 start_ns;
	u64 bytes[EDNA_NUM_TARGETS][2];
	u64 pending[EDNA_NUM_TARGETS][2];
	u32 pending_units;
	u64 macs;
	u64 pending_macs;
	u32 status;
	bool fault;
	u64 fault_va;
	u32 fault_info;
	u32 op_index;
	u32 graph_error;
	u8 inject;
};

extern const struct regmap_config edna_sim_regmap_config;

/* edna_sim_regs.c: the register file */
int edna_sim_reg_read(void *context, unsigned int reg, unsigned int *val);
void edna_sim_regs_reset(struct edna_sim *sim);
void edna_sim_quiesce(struct edna_sim *sim);
void edna_sim_boot_work(struct work_struct *work);
void edna_sim_raise_locked(struct edna_sim *sim, u32 bits);
void edna_sim_dev_error_locked(struct edna_sim *sim, u32 code, unsigned int queue);
void edna_sim_power_sync_locked(struct edna_sim *sim);
void edna_sim_add_energy_locked(struct edna_sim *sim, u64 pj);

/* edna_sim_queue.c: rings, the queue engines, completion */
void edna_sim_queue_init(struct edna_sim *sim, unsigned int index);
u32 edna_sim_queue_read_locked(struct edna_sim_queue *q, unsigned int off);
void edna_sim_queue_write_locked(struct edna_sim_queue *q, unsigned int off, u32 val);
void edna_sim_queue_reset_locked(struct edna_sim_queue *q);
void edna_sim_queue_kick_locked(struct edna_sim_queue *q);
bool edna_sim_job_checkin(struct edna_sim_job *job);
bool edna_sim_inv_busy_locked(struct edna_sim *sim);
void edna_sim_inv_start_locked(struct edna_sim *sim);

/* edna_sim_exec.c: the ops */
void edna_sim_job_execute(struct edna_sim_job *job);
void edna_sim_job_write_result(struct edna_sim_job *job);
void edna_sim_job_result(const struct edna_sim_job *job, struct edna_hw_result *r);
u64 edna_sim_job_ns(const struct edna_sim *sim, const struct edna_sim_job *job);
void edna_sim_job_moved(struct edna_sim_job *job, u32 target, bool write, u64 n);

/* edna_sim_graph.c: compiled graphs */
u32 edna_sim_graph_cpu(void);
void edna_sim_exec_graph(struct edna_sim_job *job);

/* edna_sim_mmu.c: host memory by bus address, and address translation */
struct page *edna_sim_host_page(u64 bus);
int edna_sim_host_read(u64 bus, void *buf, size_t len);
int edna_sim_host_write(u64 bus, const void *buf, size_t len);
bool edna_sim_mmu_translate(struct edna_sim_job *job, u64 va, bool write,
			    struct edna_sim_addr *a);
void *edna_sim_mem_map(struct edna_sim *sim, const struct edna_sim_addr *a);
void edna_sim_mem_unmap(const struct edna_sim_addr *a, void *p);

/* edna_sim_main.c: a second device on the interrupt line */
int edna_sim_share_irq(struct edna_sim *sim, bool on);

/* edna_sim_debugfs.c: fault injection and visibility */
void edna_sim_debugfs_init(struct edna_sim *sim);
bool edna_sim_inject_fetch_locked(struct edna_sim_queue *q, struct edna_sim_job *job);
bool edna_sim_inject_lose_irq_locked(struct edna_sim *sim);

#endif /* __EDNA_SIM_H__ */
