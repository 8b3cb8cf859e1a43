import Glibc

/// Splits a client's byte stream into request lines, bounding what it keeps.
///
/// A line longer than `maximumLineBytes` (newline excluded) yields ``Line/tooLong`` once and
/// the rest of it, up to its newline, is discarded; the following lines are read as usual.
/// So the buffer never holds more than one maximal line plus the last read.
struct LineFramer {
    enum Line: Equatable {
        case complete([UInt8])
        case tooLong
    }

    let maximumLineBytes: Int
    private var buffer: [UInt8] = []
    /// Bytes before this index were already taken.
    private var start = 0
    /// Where to resume looking for a newline, so a long partial line is scanned once.
    private var scanned = 0
    private var isDiscarding = false

    init(maximumLineBytes: Int) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Bytes held that are not yet part of a returned line.
    var pendingCount: Int { buffer.count - start }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(..<start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole line, if one is buffered (or a too-long line was detected).
    mutating func nextLine() -> Line? {
        while true {
            guard let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) else {
                scanned = buffer.count
                if isDiscarding {
                    drop(upTo: buffer.count)
                    return nil
                }
                guard pendingCount > maximumLineBytes else { return nil }
                drop(upTo: buffer.count)
                isDiscarding = true
                return .tooLong
            }
            let length = newline - start
            let line = Array(buffer[start..<newline])
            drop(upTo: newline + 1)
            if isDiscarding {
                isDiscarding = false
                continue
            }
            return length > maximumLineBytes ? .tooLong : .complete(line)
        }
    }

    /// At end of input: the last line if it had no newline.
    mutating func finish() -> Line? {
        defer { drop(upTo: buffer.count) }
        guard !isDiscarding, pendingCount > 0 else { return nil }
        return pendingCount > maximumLineBytes ? .tooLong : .complete(Array(buffer[start...]))
    }

    private mutating func drop(upTo end: Int) {
        start = end
        scanned = end
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        }
    }
}

/// Bytes waiting to go to a client, with a bound on what may be queued.
struct OutputQueue {
    private var bytes: [UInt8] = []
    private var start = 0

    var count: Int { bytes.count - start }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ line: [UInt8]) {
        if start > 0 && start >= bytes.count / 2 {
            bytes.removeSubrange(..<start)
            start = 0
        }
        bytes.append(contentsOf: line)
    }

    /// Writes as much as the socket takes now; the errno when the peer is gone.
    mutating func flush(to fd: Int32) -> Int32? {
        while !isEmpty {
            let sent = bytes[start...].withUnsafeBytes { buffer in
                retryingOnInterrupt { send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
            }
            if sent < 0 {
                return errno == EAGAIN || errno == EWOULDBLOCK ? nil : errno
            }
            start += sent
        }
        bytes.removeAll(keepingCapacity: bytes.capacity <= 64 * 1024)
        start = 0
        return nil
    }
}
