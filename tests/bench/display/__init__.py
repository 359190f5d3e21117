"""The wall display's benchmark: `python -m tests.bench.display [--calls 500] [--soak 1000]
[--idle-s 60] [--json]`.

A. Event received → board repainted: a real hub process on loopback drives calls (issue, call
   next, start, complete, through the API from another thread); the display (view model and
   window, offscreen, in this process) is fed by its real public ServerLink. For every
   TicketCalled, the time runs from the moment the event reached the display (the link's signal,
   on the network thread) to the window's `repainted(seq)` for that seq. p50/p99/max.
B. Resident memory over a long day, accelerated: the same display fed with `--soak` tickets
   (issue, call, start, complete each: a busy office's 8 hours is about 600 tickets); RSS sampled
   every 10 % of the run; the growth over the last half is reported.
C. CPU of an idle board: `montour display` as a process, offscreen, connected to the hub, the
   clock running and nothing called, CPU time over `--idle-s` seconds as a share of one core.

Goals (issue 4): A p99 ≤ 100 ms; B ≤ 200 MB and no growth over the last half; C ≤ 5 %.
Reported, never enforced.
"""
