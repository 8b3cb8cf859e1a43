import AuxChainDSP
import Foundation
import Testing

@Suite struct LevelMeterTests {
    /// Feeds `samples` in chunks of the given frame counts, cycling, and returns the readings.
    static func readings(_ meter: inout LevelMeter, _ samples: [Float], chunks: [Int]) -> (readings: [LevelReading], clipped: Int) {
        var readings: [LevelReading] = []
        var clipped = 0
        let frames = samples.count / meter.channels
        var done = 0
        var index = 0
        while done < frames {
            let chunk = min(chunks[index % chunks.count], frames - done)
            index += 1
            let result = samples.withUnsafeBufferPointer { meter.process($0.baseAddress! + done * meter.channels, frames: chunk) }
            if let reading = result.reading { readings.append(reading) }
            clipped += result.clippedSamples
            done += chunk
        }
        return (readings, clipped)
    }

    @Test(arguments: [[4800], [256], [1, 7, 100, 333]])
    func aMinusSixDBFSSineReadsItsPeakAndRMS(chunks: [Int]) {
        // Amplitude ½ at 1 kHz: 48 samples a cycle, one of them on the crest.
        var meter = LevelMeter(channels: 2, windowFrames: 4800)
        let (readings, clipped) = Self.readings(&meter, sine(amplitude: 0.5, frequency: 1000, frames: 9600), chunks: chunks)
        #expect(readings.count == 2)
        #expect(clipped == 0)
        for reading in readings {
            for channel in 0..<2 {
                #expect(abs(reading.peakDBFS(channel: channel) - (-6.02)) < 0.005)
                #expect(abs(reading.rmsDBFS(channel: channel) - (-9.03)) < 0.005)
            }
        }
    }

    @Test func channelsAreMeasuredApart() {
        // Left: a −20 dBFS square wave (RMS = peak); right: silence; third channel: a full-scale sine.
        let frames = 960
        let samples = (0..<frames).flatMap { frame -> [Float] in
            [frame % 20 < 10 ? 0.1 : -0.1, 0, sin(2 * Float.pi * Float(frame) / 48)]
        }
        var meter = LevelMeter(channels: 3, windowFrames: frames)
        let reading = Self.readings(&meter, samples, chunks: [37]).readings[0]
        #expect(abs(reading.peakDBFS(channel: 0) - (-20)) < 0.001)
        #expect(abs(reading.rmsDBFS(channel: 0) - (-20)) < 0.001)
        #expect(reading.peakDBFS(channel: 1) == -.infinity)
        #expect(reading.rmsDBFS(channel: 1) == -.infinity)
        #expect(abs(reading.rmsDBFS(channel: 2) - (-3.01)) < 0.01)
        #expect(abs(reading.maximumPeakDBFS) < 0.001)
    }

    @Test func aReadingComesOnlyWhenAWindowEnds() {
        var meter = LevelMeter(channels: 1, windowFrames: 100)
        #expect(Self.readings(&meter, [Float](repeating: 0.5, count: 99), chunks: [99]).readings.isEmpty)
        let next = Self.readings(&meter, [Float](repeating: 0.25, count: 50), chunks: [50]).readings
        #expect(next.count == 1)
        #expect(next[0].frames == 100)
        // The window's last frame came in the second call, at 0.25; its peak is the first call's 0.5.
        #expect(next[0].peak[0] == 0.5)
        // A call in which two windows end returns the later one.
        let later = Self.readings(&meter, [Float](repeating: 0.125, count: 151), chunks: [151]).readings
        #expect(later.count == 1)
        #expect(later[0].peak[0] == 0.125)
    }

    @Test func samplesAtFullScaleCountAsClipped() {
        let clipLevel = SampleEncoding.s16.largestPositiveSample
        var meter = LevelMeter(channels: 2, windowFrames: 50, clipLevel: clipLevel)
        var samples = [Float](repeating: 0.1, count: 100)
        samples[3] = clipLevel
        samples[40] = -1
        samples[41] = -1
        samples[99] = clipLevel
        samples[98] = clipLevel * 0.999
        let (readings, clipped) = Self.readings(&meter, samples, chunks: [13])
        #expect(clipped == 4)
        #expect(readings.map(\.clippedSamples) == [4])
    }
}
