# SPDX-License-Identifier: GPL-2.0
"""sendmmsg(2) from Python, which has no binding for it: the C structures
(struct iovec, struct msghdr, struct mmsghdr of <sys/socket.h>, x86-64
layout) and libc's function, for the tests that send many datagrams in
one call (multidest.py, uplink.py)."""
import ctypes

libc = ctypes.CDLL(None, use_errno=True)


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(Iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class Mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", Msghdr), ("len", ctypes.c_uint)]
