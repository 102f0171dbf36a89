/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edna register map and device-visible memory structures.
 *
 * This header is the contract between the driver and the device; it is
 * shared by the driver and the device model and documented register by
 * register in Documentation/hardware.rst.  All registers are 32
 * bits wide.  64-bit values are split into _LO/_HI pairs; the device updates
 * a pair atomically with respect to a HI, LO, HI read sequence.
 */
#ifndef __EDNA_REGS_H__
#define __EDNA_REGS_H__

#include <linux/bits.h>
#include <linux/types.h>

/* Identity and capabilities: read-only */
#define EDNA_REG_ID			0x0000
#define   EDNA_ID_MAGIC			0x45444e41	/* "EDNA" */
#define EDNA_REG_VERSION		0x0004
#define   EDNA_VERSION_MAJOR		GENMASK(31, 16)
#define   EDNA_VERSION_MINOR		GENMASK(15, 0)
#define EDNA_REG_CAPS			0x0008
#define   EDNA_CAPS_QUEUES		GENMASK(7, 0)
#define   EDNA_CAPS_CONTEXTS		GENMASK(15, 8)
#define   EDNA_CAPS_PAGE_SHIFT		GENMASK(23, 16)
#define   EDNA_CAPS_VA_BITS		GENMASK(31, 24)
#define EDNA_REG_SRAM_KIB		0x000c
#define EDNA_REG_DRAM_KIB		0x0010
#define EDNA_REG_CLOCK_MHZ		0x0014
#define EDNA_REG_MACS_PER_CYCLE		0x0018
#define EDNA_REG_BW_MBPS(region)	(0x001c + (region) * 4)	/* 3 regions */
#define EDNA_REG_POWER_MW(state)	(0x0028 + (state) * 4)	/* 3 states */
#define EDNA_REG_POWER_UP_US		0x0034

/* Device control */
#define EDNA_REG_DEV_CTRL		0x0040
#define   EDNA_DEV_CTRL_RESET		BIT(0)
#define EDNA_REG_DEV_STATUS		0x0044
#define   EDNA_DEV_STATUS_READY		BIT(0)
#define   EDNA_DEV_STATUS_HALTED	BIT(1)
#define EDNA_REG_HANDSHAKE		0x0048
#define   EDNA_HANDSHAKE_HOST		0x484f5354	/* "HOST" */
#define   EDNA_HANDSHAKE_DEVICE		0x44455643	/* "DEVC" */
#define EDNA_REG_DEV_ERROR		0x004c
#define   EDNA_DEV_ERROR_CODE		GENMASK(7, 0)	/* enum edna_dev_error */
#define   EDNA_DEV_ERROR_QUEUE		GENMASK(11, 8)
#define EDNA_REG_POWER_CTRL		0x0050
#define EDNA_REG_POWER_STATUS		0x0054
#define EDNA_REG_SCRATCH		0x0058

/* Codes of EDNA_REG_DEV_ERROR: errors the device cannot pin on one job */
enum edna_dev_error {
	EDNA_DEV_ERROR_NONE = 0,
	EDNA_DEV_ERROR_RING_OVERRUN = 1,	/* TAIL - HEAD > RING_SIZE */
	EDNA_DEV_ERROR_RING_BUS = 2,		/* ring entry not readable */
	EDNA_DEV_ERROR_INTERNAL = 3,		/* firmware failed; device halted */
};

/* Interrupts */
#define EDNA_REG_IRQ_STATUS		0x0080	/* write 1 to clear */
#define EDNA_REG_IRQ_MASK		0x0084	/* 1 = enabled */
#define   EDNA_IRQ_JOB_DONE(q)		BIT(q)
#define   EDNA_IRQ_JOB_DONE_ALL		GENMASK(7, 0)
#define   EDNA_IRQ_JOB_ERROR(q)		BIT(8 + (q))
#define   EDNA_IRQ_JOB_ERROR_ALL	GENMASK(15, 8)
#define   EDNA_IRQ_MMU_FAULT		BIT(16)
#define   EDNA_IRQ_DEV_ERROR		BIT(17)

/* MMU */
#define EDNA_REG_MMU_FAULT_VA_LO	0x00c0
#define EDNA_REG_MMU_FAULT_VA_HI	0x00c4
#define EDNA_REG_MMU_FAULT_INFO		0x00c8
#define   EDNA_FAULT_CTX		GENMASK(7, 0)
#define   EDNA_FAULT_QUEUE		GENMASK(11, 8)
#define   EDNA_FAULT_WRITE		BIT(12)
#define   EDNA_FAULT_REASON		GENMASK(19, 16)
#define   EDNA_FAULT_VALID		BIT(31)
#define EDNA_REG_MMU_INVALIDATE		0x00cc	/* write: context id */
#define   EDNA_MMU_INV_BUSY		BIT(31)	/* read: invalidation in progress */
#define EDNA_REG_CTX_ROOT_LO(ctx)	(0x0400 + (ctx) * 8)
#define EDNA_REG_CTX_ROOT_HI(ctx)	(0x0404 + (ctx) * 8)
#define   EDNA_CTX_ROOT_VALID		BIT(0)

enum edna_fault_reason {
	EDNA_FAULT_UNMAPPED = 1,
	EDNA_FAULT_PERMISSION = 2,
	EDNA_FAULT_BAD_TABLE = 3,
	EDNA_FAULT_NO_CONTEXT = 4,
	EDNA_FAULT_BUS = 5,
};

/* Command queues: EDNA_MAX_QUEUES blocks of EDNA_QUEUE_STRIDE bytes */
#define EDNA_MAX_QUEUES			8
#define EDNA_QUEUE_STRIDE		0x40
#define EDNA_REG_Q(q, off)		(0x1000 + (q) * EDNA_QUEUE_STRIDE + (off))
#define EDNA_Q_RING_LO			0x00
#define EDNA_Q_RING_HI			0x04
#define EDNA_Q_RING_SIZE		0x08	/* entries, power of two */
#define EDNA_Q_HEAD			0x0c	/* free running, read-only */
#define EDNA_Q_TAIL			0x10	/* free running, doorbell */
#define EDNA_Q_DONE_SEQ			0x14
#define EDNA_Q_CTRL			0x18
#define   EDNA_Q_CTRL_ENABLE		BIT(0)
#define   EDNA_Q_CTRL_RESET		BIT(1)
#define EDNA_Q_STATUS			0x1c
#define   EDNA_Q_STATUS_BUSY		BIT(0)
#define   EDNA_Q_STATUS_OVERRUN		BIT(1)
#define   EDNA_Q_STATUS_STOPPED		BIT(2)	/* fetching stopped until queue reset */
#define EDNA_Q_PROGRESS			0x20
#define EDNA_Q_BUSY_CYCLES_LO		0x24
#define EDNA_Q_BUSY_CYCLES_HI		0x28
#define EDNA_Q_JOBS			0x2c

#define EDNA_RING_MIN_ENTRIES		2
#define EDNA_RING_MAX_ENTRIES		4096

/* Counters: 64-bit, reset only by a device reset */
#define EDNA_REG_CNT_OPS_LO		0x2000
#define EDNA_REG_CNT_MACS_LO		0x2008
#define EDNA_REG_CNT_BYTES_LO(region, write) \
	(0x2010 + ((region) * 2 + (write)) * 8)
#define EDNA_REG_CNT_ENERGY_UJ_LO	0x2040
#define EDNA_REG_CNT_CYCLES_LO		0x2048
#define EDNA_CNT_HI(lo)			((lo) + 4)

#define EDNA_REG_LAST			0x204c

/* Power states, values of EDNA_REG_POWER_CTRL/STATUS (uapi order) */
#define EDNA_PSTATE_ACTIVE		0
#define EDNA_PSTATE_IDLE		1
#define EDNA_PSTATE_OFF			2

/* Memory targets of a page-table entry (uapi region order) */
#define EDNA_TARGET_HOST		0
#define EDNA_TARGET_DRAM		1
#define EDNA_TARGET_SRAM		2
#define EDNA_NUM_TARGETS		3

/*
 * Page tables: three levels of 512 eight-byte entries in host memory, 4 KiB
 * pages, 39-bit virtual addresses.  A directory entry holds the bus address
 * of the next table; a leaf entry holds the target and the page address in
 * that target (bus address for host, offset for DRAM and SRAM).
 */
#define EDNA_PAGE_SHIFT			12
#define EDNA_PAGE_SIZE			BIT_ULL(EDNA_PAGE_SHIFT)
#define EDNA_PT_LEVELS			3
#define EDNA_PT_ENTRIES			512
#define EDNA_PT_SHIFT(level)		(EDNA_PAGE_SHIFT + 9 * (EDNA_PT_LEVELS - 1 - (level)))
#define EDNA_PT_INDEX(va, level)	(((va) >> EDNA_PT_SHIFT(level)) & (EDNA_PT_ENTRIES - 1))
#define EDNA_VA_BITS			39
#define EDNA_PTE_VALID			BIT_ULL(0)
#define EDNA_PTE_READ			BIT_ULL(1)
#define EDNA_PTE_WRITE			BIT_ULL(2)
#define EDNA_PTE_TARGET			GENMASK_ULL(5, 4)
#define EDNA_PTE_ADDR			GENMASK_ULL(51, 12)

/* Job descriptor: one ring entry, little endian, 256 bytes */
enum edna_job_op {
	EDNA_OP_NOP = 0,	/* completes; a fence */
	EDNA_OP_FILL = 1,	/* dst[0..size) = 32-bit pattern */
	EDNA_OP_COPY = 2,	/* dst[0..size) = src[0..size) */
	EDNA_OP_GRAPH = 3,	/* execute the graph at src with arguments at dst */
};

enum edna_job_status {
	EDNA_JOB_OK = 0,
	EDNA_JOB_MMU_FAULT = 1,
	EDNA_JOB_BAD_DESC = 2,
	EDNA_JOB_BAD_GRAPH = 3,
	EDNA_JOB_BUS_ERROR = 4,
	EDNA_JOB_PENDING = 0xffffffff,	/* written by the driver */
};

/*
 * Written back by the device into the descriptor when the job ends, and
 * copied to the job's result_va when that is not zero.  Same layout as
 * struct drm_edna_job_result of the uapi.
 */
struct edna_hw_result {
	__le64 job_seqno;
	__le32 status;
	__le32 op_index;
	__le32 reason;
	__le32 pad;
	__le64 fault_va;
	__le64 cycles;
	__le64 macs;
	__le64 bytes[EDNA_NUM_TARGETS][2];
	__le64 reserved[4];
};

#define EDNA_RESULT_SIZE		128

struct edna_hw_desc {
	/* Written by the driver */
	__le32 op;
	__le32 flags;		/* zero */
	__le32 ctx;
	__le32 seq;		/* ring sequence, echoed in DONE_SEQ */
	__le64 src;
	__le64 dst;
	__le64 size;
	__le32 pattern;
	__le32 status;		/* written back by the device, last */
	__le64 job_seqno;	/* echoed in the result */
	__le64 result_va;	/* 0, or where to copy the result in ctx */
	__le64 reserved[8];	/* zero */
	/* Written back by the device before status */
	struct edna_hw_result result;
};

#define EDNA_DESC_SIZE			256
#define EDNA_JOB_MAX_SIZE		BIT_ULL(30)	/* FILL/COPY size limit: 1 GiB */

#endif /* __EDNA_REGS_H__ */
