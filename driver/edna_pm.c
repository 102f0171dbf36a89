// SPDX-License-Identifier: GPL-2.0
/*
 * edna power management: the device's power states, runtime PM with
 * autosuspend, system sleep, and the books behind hwmon and sysfs
 * (Documentation/power.rst).
 *
 *   ACTIVE  a descriptor is on a ring: the clock runs
 *   IDLE    the rings are empty: clock gated, everything kept
 *   OFF     runtime suspended: power removed, context and memories lost
 *
 * ACTIVE and IDLE follow the rings, descriptor by descriptor, from the
 * submit and completion paths.  OFF follows runtime PM: every job holds a
 * reference from its creation to its end, and every buffer in device
 * memory holds one for its life, so the device goes OFF only when it has
 * nothing to run and nothing to lose, autosuspend_delay_ms after the last
 * reference went.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/suspend.h>

#include <drm/drm_drv.h>

#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_job.h"
#include "edna_pm.h"
#include "edna_trace.h"

static const char *const edna_pm_names[EDNA_POWER_COUNT] = {
	[EDNA_PSTATE_ACTIVE] = "active",
	[EDNA_PSTATE_IDLE] = "idle",
	[EDNA_PSTATE_OFF] = "off",
};

/* For sysfs and the debug log. */
const char *edna_pm_state_name(u32 state)
{
	return edna_pm_names[state];
}

static void edna_pm_account_locked(struct edna_pm *pm)
{
	u64 now = ktime_get_ns();

	pm->residency_ns[pm->state] += now - pm->since_ns;
	pm->since_ns = now;
}

/* The device's own count, or 0 for a device that fell off the bus. */
static u64 edna_pm_device_energy(struct edna_device *edev)
{
	u64 uj;

	if (edev->pm.state == EDNA_PSTATE_OFF)
		return 0;
	uj = edna_hw_energy_uj(edev);
	return uj == U64_MAX ? 0 : uj;
}

/*
 * Every change of power state goes through here, the device told or not
 * (@write): the one place to observe transitions.
 */
static void edna_pm_enter_locked(struct edna_device *edev, u32 state, bool write)
{
	struct edna_pm *pm = &edev->pm;

	lockdep_assert_held(&pm->lock);
	edna_pm_account_locked(pm);
	if (state == pm->state)
		return;
	/* Power-off clears the device's energy counter: keep its count. */
	if (state == EDNA_PSTATE_OFF)
		pm->energy_uj += edna_pm_device_energy(edev);
	if (write)
		edna_hw_set_power(edev, state);
	edna_dbg(edev, PM, "%s -> %s\n", edna_pm_names[pm->state], edna_pm_names[state]);
	trace_edna_power_state(edev->drm.accel->index, pm->state, state);
	pm->state = state;
}

/**
 * edna_pm_set_state() - move the device to a power state
 * @edev: the device
 * @state: EDNA_PSTATE_*
 *
 * For edna_hw.c's power-off and power-up, under its reset_lock.
 */
void edna_pm_set_state(struct edna_device *edev, u32 state)
{
	unsigned long flags;

	spin_lock_irqsave(&edev->pm.lock, flags);
	edna_pm_enter_locked(edev, state, true);
	spin_unlock_irqrestore(&edev->pm.lock, flags);
}

u32 edna_pm_state(struct edna_device *edev)
{
	unsigned long flags;
	u32 state;

	spin_lock_irqsave(&edev->pm.lock, flags);
	state = edev->pm.state;
	spin_unlock_irqrestore(&edev->pm.lock, flags);
	return state;
}

/**
 * edna_pm_device_reset() - the device is about to be reset
 * @edev: the device, powered
 *
 * The reset clears its counters and leaves it ACTIVE, gated or not.
 */
void edna_pm_device_reset(struct edna_device *edev)
{
	struct edna_pm *pm = &edev->pm;
	unsigned long flags;

	spin_lock_irqsave(&pm->lock, flags);
	pm->energy_uj += edna_pm_device_energy(edev);
	edna_pm_enter_locked(edev, EDNA_PSTATE_ACTIVE, false);
	spin_unlock_irqrestore(&pm->lock, flags);
}

/**
 * edna_pm_desc_queued() - a descriptor goes on a ring
 * @edev: the device, powered
 *
 * Ungates the clock for the first one.  Called under the ring's lock,
 * before the doorbell.
 */
void edna_pm_desc_queued(struct edna_device *edev)
{
	struct edna_pm *pm = &edev->pm;

	spin_lock(&pm->lock);
	if (pm->descs++ == 0 && pm->state == EDNA_PSTATE_IDLE)
		edna_pm_enter_locked(edev, EDNA_PSTATE_ACTIVE, true);
	spin_unlock(&pm->lock);
}

/**
 * edna_pm_descs_done() - descriptors left the rings
 * @edev: the device
 * @n: how many completed or were dropped; 0 after a reset or power-up
 *
 * Gates the clock once the rings are empty.  Called under a ring's lock,
 * or with the rings quiet.
 */
void edna_pm_descs_done(struct edna_device *edev, u32 n)
{
	struct edna_pm *pm = &edev->pm;
	unsigned long flags;

	spin_lock_irqsave(&pm->lock, flags);
	pm->descs -= min(n, pm->descs);
	if (!pm->descs && pm->state == EDNA_PSTATE_ACTIVE)
		edna_pm_enter_locked(edev, EDNA_PSTATE_IDLE, true);
	spin_unlock_irqrestore(&pm->lock, flags);
}

/**
 * edna_pm_residency() - time spent in each power state since probe
 * @edev: the device
 * @ns: out, EDNA_POWER_COUNT values in nanoseconds, up to now
 */
void edna_pm_residency(struct edna_device *edev, u64 *ns)
{
	struct edna_pm *pm = &edev->pm;
	unsigned long flags;

	spin_lock_irqsave(&pm->lock, flags);
	edna_pm_account_locked(pm);
	memcpy(ns, pm->residency_ns, sizeof(pm->residency_ns));
	spin_unlock_irqrestore(&pm->lock, flags);
}

/*
 * What the device counted (jobs and its powered states) plus what it drew
 * while OFF, where it counts nothing: POWER_MW(OFF) * time, mW * ns = pJ.
 */
static u64 edna_pm_energy_locked(struct edna_device *edev)
{
	struct edna_pm *pm = &edev->pm;

	edna_pm_account_locked(pm);
	return pm->energy_uj + edna_pm_device_energy(edev) +
	       div_u64(pm->residency_ns[EDNA_PSTATE_OFF] *
		       edev->caps.power_mw[EDNA_PSTATE_OFF], 1000000);
}

/**
 * edna_pm_energy_uj() - energy the device used since probe
 * @edev: the device
 *
 * Return: microjoules; never decreases.
 */
u64 edna_pm_energy_uj(struct edna_device *edev)
{
	unsigned long flags;
	u64 uj;

	spin_lock_irqsave(&edev->pm.lock, flags);
	uj = edna_pm_energy_locked(edev);
	spin_unlock_irqrestore(&edev->pm.lock, flags);
	return uj;
}

/**
 * edna_pm_average_uw() - average power over the last averaging interval
 * @edev: the device
 *
 * Windows of at least power1_average_interval, opened and closed by the
 * readers: the value of the last closed one, or of the open one before
 * any closed.
 *
 * Return: microwatts.
 */
s64 edna_pm_average_uw(struct edna_device *edev)
{
	struct edna_pm *pm = &edev->pm;
	unsigned long flags;
	u64 uj, now, ns;
	s64 uw;

	spin_lock_irqsave(&pm->lock, flags);
	uj = edna_pm_energy_locked(edev);
	now = pm->since_ns;
	ns = now - pm->avg_start_ns;
	uw = pm->avg_uw;
	if (ns && (uw < 0 || ns >= (u64)pm->avg_interval_ms * NSEC_PER_MSEC))
		uw = mul_u64_u64_div_u64(uj - pm->avg_start_uj, NSEC_PER_SEC, ns);
	if (ns >= (u64)pm->avg_interval_ms * NSEC_PER_MSEC) {
		pm->avg_uw = uw;
		pm->avg_start_ns = now;
		pm->avg_start_uj = uj;
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	return max_t(s64, uw, 0);
}

u32 edna_pm_avg_interval(struct edna_device *edev)
{
	return READ_ONCE(edev->pm.avg_interval_ms);
}

int edna_pm_set_avg_interval(struct edna_device *edev, u32 ms)
{
	if (ms < EDNA_AVG_INTERVAL_MIN_MS || ms > EDNA_AVG_INTERVAL_MAX_MS)
		return -ERANGE;
	WRITE_ONCE(edev->pm.avg_interval_ms, ms);
	return 0;
}

/**
 * edna_pm_get() - keep the device powered, powering it up if it is OFF
 * @edev: the device
 *
 * Pays the power-up latency here, in the caller's context, so that no
 * job's timeout ever includes it.  Pair with edna_pm_put().
 *
 * Return: 0 with a reference held; -ENODEV without one when the device is
 * gone (its jobs fail when they run); another negative errno when runtime
 * PM refuses.
 */
int edna_pm_get(struct edna_device *edev)
{
	int idx, ret;

	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	ret = pm_runtime_resume_and_get(edev->drm.dev);
	drm_dev_exit(idx);
	if (ret < 0)
		dev_err_ratelimited(edev->drm.dev, "cannot power the device up: %d\n", ret);
	return ret < 0 ? ret : 0;
}

/**
 * edna_pm_put() - drop a reference of edna_pm_get() or edna_pm_local_get()
 * @edev: the device
 *
 * The last one starts the autosuspend delay.  Any context.
 */
void edna_pm_put(struct edna_device *edev)
{
	pm_runtime_mark_last_busy(edev->drm.dev);
	pm_runtime_put_autosuspend(edev->drm.dev);
}

/**
 * edna_pm_local_get() - a buffer in device memory now exists
 * @edev: the device
 *
 * OFF would lose its contents: it keeps the device out of OFF (not out of
 * IDLE) until edna_pm_local_put().  Does not power the device up: the job
 * that clears the buffer does.
 */
void edna_pm_local_get(struct edna_device *edev)
{
	atomic_inc(&edev->pm.local_bufs);
	pm_runtime_get_noresume(edev->drm.dev);
}

void edna_pm_local_put(struct edna_device *edev)
{
	atomic_dec(&edev->pm.local_bufs);
	edna_pm_put(edev);
}

/*
 * Runtime suspend: nothing holds a reference, so the rings are empty and
 * no buffer lives in device memory.  A system suspend comes here through
 * pm_runtime_force_suspend() with references held, its queues quiesced.
 */
static int edna_pm_runtime_suspend(struct device *dev)
{
	struct edna_device *edev = dev_get_drvdata(dev);
	int bufs = atomic_read(&edev->pm.local_bufs);

	if (bufs) {
		/* Suspend to RAM takes the power whatever the driver does. */
		if (pm_suspend_via_firmware()) {
			edna_err(edev, "%d buffers in device memory would lose their contents in suspend to RAM: suspend refused\n",
				 bufs);
			return -EBUSY;
		}
		/* Suspend to idle keeps the power: stay gated, memories kept. */
		edna_pm_descs_done(edev, 0);
		return 0;
	}
	edna_hw_power_off(edev);
	return 0;
}

/*
 * A device that does not come up is wedged, as after a failed reset: its
 * jobs fail with -EIO until an operator reset brings it back.  Runtime PM
 * is told it worked, or it would refuse every later resume, that reset's
 * included.
 */
static int edna_pm_runtime_resume(struct device *dev)
{
	struct edna_device *edev = dev_get_drvdata(dev);

	if (edna_pm_state(edev) != EDNA_PSTATE_OFF)
		return 0;
	if (edna_hw_power_up(edev))
		edna_err(edev, "power-up failed\n");
	return 0;
}

/*
 * System suspend: jobs on the device get EDNA_JOB_DRAIN_MS to finish and
 * refuse the suspend with -EBUSY if they do not; jobs not yet on it wait
 * in their queues and run after resume.  Nothing is lost or run twice.
 */
static int edna_pm_suspend(struct device *dev)
{
	struct edna_device *edev = dev_get_drvdata(dev);
	int ret;

	ret = edna_job_pause(edev);
	if (ret) {
		edna_job_resume(edev);
		edna_err(edev, "jobs still running on the device: suspend refused\n");
		return ret;
	}
	ret = pm_runtime_force_suspend(dev);
	if (ret)
		edna_job_resume(edev);
	return ret;
}

static int edna_pm_resume(struct device *dev)
{
	struct edna_device *edev = dev_get_drvdata(dev);
	int ret;

	/* Powers up only if jobs or buffers were waiting for the device. */
	ret = pm_runtime_force_resume(dev);
	edna_job_resume(edev);
	return ret;
}

const struct dev_pm_ops edna_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(edna_pm_suspend, edna_pm_resume)
	RUNTIME_PM_OPS(edna_pm_runtime_suspend, edna_pm_runtime_resume, NULL)
};

/**
 * edna_pm_probe() - the power books, before the device is first reset
 * @edev: the device
 */
void edna_pm_probe(struct edna_device *edev)
{
	struct edna_pm *pm = &edev->pm;

	spin_lock_init(&pm->lock);
	pm->state = EDNA_PSTATE_ACTIVE;
	pm->since_ns = ktime_get_ns();
	pm->avg_interval_ms = EDNA_AVG_INTERVAL_MS;
	pm->avg_start_ns = pm->since_ns;
	pm->avg_uw = -1;
	atomic_set(&pm->local_bufs, 0);
}

/**
 * edna_pm_enable() - let runtime PM suspend the device
 * @edev: the device, up and idle
 *
 * The PCI core enabled runtime PM already and holds a reference through
 * probe; on other buses it starts here.
 */
void edna_pm_enable(struct edna_device *edev)
{
	struct device *dev = edev->drm.dev;
	unsigned long flags;

	/* The first reset left what the device counted before probe. */
	spin_lock_irqsave(&edev->pm.lock, flags);
	edev->pm.energy_uj = 0;
	spin_unlock_irqrestore(&edev->pm.lock, flags);

	pm_runtime_set_autosuspend_delay(dev, EDNA_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_mark_last_busy(dev);
	if (dev_is_pci(dev)) {
		pm_runtime_allow(dev);
		pm_runtime_put_autosuspend(dev);
		return;
	}
	pm_runtime_set_active(dev);
	pm_runtime_enable(dev);
	pm_request_autosuspend(dev);
}

/**
 * edna_pm_disable() - keep runtime PM away from a device going away
 * @edev: the device
 *
 * Waits for a suspend or resume under way.  The device stays in the state
 * it is in: edna_hw_fini() knows what to do with either.
 */
void edna_pm_disable(struct edna_device *edev)
{
	struct device *dev = edev->drm.dev;

	if (dev_is_pci(dev)) {
		pm_runtime_get_noresume(dev);
		pm_runtime_forbid(dev);
		pm_runtime_dont_use_autosuspend(dev);
		return;
	}
	pm_runtime_disable(dev);
	pm_runtime_dont_use_autosuspend(dev);
}
