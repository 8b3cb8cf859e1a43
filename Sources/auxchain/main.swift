import Dispatch

// The command runs on the concurrency pool while the main thread waits for it. Swift's async
// @main would instead park the main thread in libdispatch's dispatch_main (a sigsuspend that
// valgrind cannot follow), and the process could not be measured with callgrind.
let finished = DispatchSemaphore(value: 0)
Task.detached {
    await AuxChain.main()
    finished.signal()
}
finished.wait()
