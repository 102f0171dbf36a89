// SPDX-License-Identifier: GPL-2.0
/*
 * edna hwmon: the device's power and energy, for sensors(1) and any other
 * reader of /sys/class/hwmon.
 *
 *   power1_average           average power, µW, over power1_average_interval
 *   power1_average_interval  ms, 10 to 600000 (1000)
 *   energy1_input            energy since probe, µJ (Documentation/power.rst)
 *
 * Copyright 2026 The edna authors
 */

#include <linux/hwmon.h>

#include "edna_drv.h"
#include "edna_hwmon.h"
#include "edna_pm.h"

static umode_t edna_hwmon_is_visible(const void *data, enum hwmon_sensor_types type,
				     u32 attr, int channel)
{
	if (type == hwmon_power && attr == hwmon_power_average_interval)
		return 0644;
	return 0444;
}

static int edna_hwmon_read(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			   int channel, long *val)
{
	struct edna_device *edev = dev_get_drvdata(dev);

	switch (type) {
	case hwmon_power:
		if (attr == hwmon_power_average)
			*val = edna_pm_average_uw(edev);
		else
			*val = edna_pm_avg_interval(edev);
		return 0;
	case hwmon_energy:
		*val = edna_pm_energy_uj(edev);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int edna_hwmon_write(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			    int channel, long val)
{
	if (type != hwmon_power || attr != hwmon_power_average_interval)
		return -EOPNOTSUPP;
	if (val < 0 || val > U32_MAX)
		return -ERANGE;
	return edna_pm_set_avg_interval(dev_get_drvdata(dev), val);
}

static const struct hwmon_channel_info *const edna_hwmon_info[] = {
	HWMON_CHANNEL_INFO(power, HWMON_P_AVERAGE | HWMON_P_AVERAGE_INTERVAL),
	HWMON_CHANNEL_INFO(energy, HWMON_E_INPUT),
	NULL
};

static const struct hwmon_ops edna_hwmon_ops = {
	.is_visible = edna_hwmon_is_visible,
	.read = edna_hwmon_read,
	.write = edna_hwmon_write,
};

static const struct hwmon_chip_info edna_hwmon_chip = {
	.ops = &edna_hwmon_ops,
	.info = edna_hwmon_info,
};

/**
 * edna_hwmon_init() - register the device's power sensors
 * @edev: the device
 *
 * Return: 0 or a negative errno.
 */
int edna_hwmon_init(struct edna_device *edev)
{
	struct device *hwmon;

	hwmon = devm_hwmon_device_register_with_info(edev->drm.dev, EDNA_DRIVER_NAME, edev,
						     &edna_hwmon_chip, NULL);
	return PTR_ERR_OR_ZERO(hwmon);
}
