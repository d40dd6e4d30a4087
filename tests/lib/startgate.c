// SPDX-License-Identifier: GPL-2.0
/*
 * startgate.so: hold a program, loaded and linked, before its main() until
 * the test releases it. LD_PRELOAD=startgate.so ZCPAIR_GATE=FIFO PROG...
 * writes its pid to FIFO.ready, blocks in a constructor until a writer
 * opens FIFO (the test does `: >FIFO` when it is time), then runs PROG
 * unchanged.
 *
 * tests/30-kselftests.sh uses it for gro.c, whose receiver gives up 3 s
 * after binding its socket, and exec'ing the sender alone can take longer
 * than that in a guest under TCG with a debug kernel. Gated, both are
 * exec'd and linked first; the receiver is released, the test sees its
 * socket bound (in /proc/PID/net/packet), and the released sender sends
 * within a scheduling delay. The msg_zerocopy and io_uring_zerocopy_tx
 * senders are held the same way until their receiver's socket is there,
 * so that a receiver with a short run time outlives its sender.
 */
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void startgate_wait(void)
{
	const char *fifo = getenv("ZCPAIR_GATE");
	char ready[4096];
	FILE *f;
	int fd;

	if (!fifo || !*fifo)
		return;
	if (snprintf(ready, sizeof(ready), "%s.ready", fifo) >= (int)sizeof(ready))
		_exit(125);
	f = fopen(ready, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
		_exit(125);
	/* Not inherited by what the program itself may exec. */
	unsetenv("ZCPAIR_GATE");
	unsetenv("LD_PRELOAD");
	/* Opening a FIFO for reading blocks until a writer opens it. */
	fd = open(fifo, O_RDONLY);
	if (fd < 0)
		_exit(125);
	close(fd);
}
