"""The seccomp filter every sandboxed command runs under: system calls numpy never needs, denied.

Built with libseccomp (through ``pyseccomp``, a ctypes binding of the system's libseccomp.so.2)
for the machine's native architecture, once per process, and handed to bubblewrap as a compiled
BPF program (``--seccomp FD``), which loads it just before it executes the command. Everything
not named here is allowed; the filter exists to shrink the kernel surface an escape would use:

- new namespaces: ``unshare`` and ``setns``, ``clone`` with any ``CLONE_NEW*`` flag (``clone``
  for threads and ``fork`` stays allowed, the flags are checked), and ``clone3``, whose flags
  sit in memory a filter cannot read: it fails with ENOSYS, so glibc falls back to ``clone``;
- io_uring, ptrace and the other ways into another process's memory or files (``ptrace``,
  ``process_vm_readv``/``writev``, ``process_madvise``, ``kcmp``, ``pidfd_getfd``);
- bpf, perf_event_open, userfaultfd, the kernel keyring;
- mounting, in the old and the new mount API, ``chroot`` and ``pivot_root``;
- kernel modules, kexec, reboot, swap, accounting, quotas, the clocks, the host name, the
  kernel log, raw I/O ports, file handles (``open_by_handle_at``) and other administration.

A denied call fails with EPERM (ENOSYS for ``clone3``); the process goes on. A system call of
another architecture (a 32-bit ``int 0x80`` on x86_64, or x32) kills the process: libseccomp's
default for an architecture the filter was not built for.
"""

from __future__ import annotations

import errno
import functools
import tempfile
from typing import Any

__all__ = ["DENIED", "SeccompUnavailable", "filter_bpf"]


class SeccompUnavailable(RuntimeError):
    """libseccomp (or its Python binding) is missing, or the filter could not be built."""


# Every flag of clone() that makes a new namespace. CLONE_NEWTIME (0x80) is not among them: in
# clone()'s flags that bit belongs to the exit signal (it exists only for unshare and clone3,
# both denied whole).
CLONE_NEW_FLAGS = {
    "CLONE_NEWNS": 0x0002_0000,
    "CLONE_NEWCGROUP": 0x0200_0000,
    "CLONE_NEWUTS": 0x0400_0000,
    "CLONE_NEWIPC": 0x0800_0000,
    "CLONE_NEWUSER": 0x1000_0000,
    "CLONE_NEWPID": 0x2000_0000,
    "CLONE_NEWNET": 0x4000_0000,
}

# Denied with EPERM whatever their arguments.
DENIED = (
    # namespaces
    "unshare", "setns",
    # io_uring: its own path into the kernel, past what a filter sees of each operation
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # other processes' memory and files
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
    "pidfd_getfd",
    # kernel programs, counters, page-fault handling, keys
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
    # mounts, old and new API
    "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick",
    "move_mount", "open_tree", "mount_setattr",
    # kernel modules, kexec, reboot
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    # administration: swap, accounting, quotas, clocks, names, kernel log, I/O ports, handles
    "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "syslog", "iopl", "ioperm",
    "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "fanotify_init", "vhangup",
    "nfsservctl", "uselib",
)  # fmt: skip

# Denied with ENOSYS, so that the caller falls back to an older call the filter can check.
UNIMPLEMENTED = ("clone3",)


def _binding() -> Any:
    try:
        import pyseccomp  # type: ignore[import-untyped]
    except (ImportError, OSError, RuntimeError) as error:
        raise SeccompUnavailable(
            "libseccomp is not available, so student code cannot be run under the sandbox's "
            f"seccomp filter and the grader refuses to run it ({error}). Install the Debian "
            "package 'libseccomp2' and the Python package 'pyseccomp' (requirements/base.txt)."
        ) from error
    return pyseccomp


def _number(seccomp: Any, name: str) -> int:
    number = int(seccomp.resolve_syscall(seccomp.Arch.NATIVE, name))
    if number == -1:  # __NR_SCMP_ERROR: a name this libseccomp does not know at all
        raise SeccompUnavailable(f"this libseccomp does not know the system call {name!r}")
    return number


@functools.cache
def filter_bpf() -> bytes:
    """The compiled filter (BPF for the native architecture), built on the first call.

    Raises ``SeccompUnavailable`` when libseccomp is missing or cannot build it.
    """
    seccomp = _binding()
    try:
        built = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        eperm = seccomp.ERRNO(errno.EPERM)
        for name in DENIED:
            built.add_rule(eperm, _number(seccomp, name))
        for name in UNIMPLEMENTED:
            built.add_rule(seccomp.ERRNO(errno.ENOSYS), _number(seccomp, name))
        clone = _number(seccomp, "clone")
        # clone's flags are its first argument on every architecture but s390 and cris, which
        # swap the first two; the rules are one per flag (a filter's rule is an AND of its
        # comparisons, the rules of a call an OR).
        flags_at = 1 if seccomp.system_arch() in {seccomp.Arch.S390, seccomp.Arch.S390X} else 0
        for flag in CLONE_NEW_FLAGS.values():
            built.add_rule(eperm, clone, seccomp.Arg(flags_at, seccomp.MASKED_EQ, flag, flag))
        with tempfile.TemporaryFile() as compiled:
            built.export_bpf(compiled)
            compiled.seek(0)
            return compiled.read()
    except OSError as error:
        raise SeccompUnavailable(f"libseccomp could not build the filter: {error}") from error
