#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Line framing and JSON for the control protocol: one JSON object per line, UTF-8, `\n`
/// terminated. Pure: no I/O, so the server and the CLI share it and tests need no socket.
public enum ControlCodec {
    /// The longest request line the server reads, without its newline. Longer lines get a
    /// `line_too_long` reply and the rest of the line is discarded; the connection stays usable.
    public static let maximumLineBytes = 4096

    /// Every `cmd`, as error replies list them.
    public static var commandNames: [String] { RequestDecoding.commandNames }

    /// Decodes one request line (without its newline; a trailing `\r` is allowed).
    public static func decodeRequest(_ line: some Collection<UInt8>) throws(ControlFailure) -> ControlRequest {
        do {
            return try JSONDecoder().decode(ControlRequest.self, from: Data(line))
        } catch let failure as ControlFailure {
            throw failure
        } catch {
            throw ControlFailure(
                code: .malformedJSON,
                message: #"not valid JSON: send one JSON object per line, e.g. {"cmd":"status"}; \#(RequestDecoding.commandList)"#
            )
        }
    }

    /// The reply to a line longer than `limit` bytes.
    public static func lineTooLong(limit: Int = maximumLineBytes) -> ControlFailure {
        ControlFailure(
            code: .lineTooLong,
            message: "request line longer than \(limit) bytes; the rest of it was discarded; \(RequestDecoding.commandList)"
        )
    }

    /// The last line to a client that sent nothing for `timeout`, before it is closed.
    public static func idle(after timeout: Duration) -> ControlFailure {
        ControlFailure(
            code: .idleTimeout,
            message: "closed after \(timeout.components.seconds) s without a request; send one at least that often, "
                + "or subscribe to stay connected while listening"
        )
    }

    /// Decodes a line from the daemon: a reply (has `ok`) or an event (has `event`).
    public static func decodeMessage(_ line: some Collection<UInt8>) throws -> ControlMessage {
        let data = Data(line)
        let decoder = makeDecoder()
        let probe = try decoder.decode(MessageKind.self, from: data)
        if probe.event != nil {
            return .event(try decoder.decode(ControlEvent.self, from: data))
        }
        return .reply(try decoder.decode(ControlReply.self, from: data))
    }

    /// The request as one line, newline included.
    public static func encodeRequest(_ request: ControlRequest) -> [UInt8] {
        line(request)
    }

    /// The reply as one line, newline included.
    public static func encodeReply(_ reply: ControlReply) -> [UInt8] {
        line(reply)
    }

    /// The event as one line, newline included.
    public static func encodeEvent(_ event: ControlEvent) -> [UInt8] {
        line(event)
    }

    static let newline = UInt8(ascii: "\n")

    /// Non-finite numbers cannot be JSON numbers; they travel as these strings instead of
    /// failing the whole line.
    private static let nonFinite = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    /// Encoding the protocol's values cannot fail: they hold strings, integers, booleans and
    /// doubles, and non-finite doubles become strings.
    private static func line(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFinite.positiveInfinity,
            negativeInfinity: nonFinite.negativeInfinity,
            nan: nonFinite.nan
        )
        do {
            return Array(try encoder.encode(value)) + [newline]
        } catch {
            preconditionFailure("a control protocol value did not encode as JSON: \(error)")
        }
    }

    private static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positiveInfinity,
            negativeInfinity: nonFinite.negativeInfinity,
            nan: nonFinite.nan
        )
        return decoder
    }

    private struct MessageKind: Decodable {
        var event: String?
    }
}

/// A line the daemon sends.
public enum ControlMessage: Sendable, Equatable {
    case reply(ControlReply)
    case event(ControlEvent)
}
