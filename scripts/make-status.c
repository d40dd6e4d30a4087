// SPDX-License-Identifier: GPL-2.0
/*
 * A GNU make plugin (`load` directive) providing $(zcpair-exit N).
 *
 * GNU make itself only ever exits 0, 1 or 2, but `make vm CMD=...` promises
 * to exit with CMD's own status; the vm target ends by calling this.
 */
#include <gnumake.h>
#include <stdlib.h>

int plugin_is_GPL_compatible;

static char *zcpair_exit(const char *name, unsigned int argc, char **argv)
{
	(void)name;
	(void)argc;
	exit(atoi(argv[0]));
}

int make_status_gmk_setup(const gmk_floc *floc)
{
	(void)floc;
	gmk_add_function("zcpair-exit", zcpair_exit, 1, 1, GMK_FUNC_DEFAULT);
	return 1;
}
