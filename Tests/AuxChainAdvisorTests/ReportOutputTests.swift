import AuxChainAdvisor
import Foundation
import Testing

@Suite("Report output")
struct ReportOutputTests {
    let advisor: Advisor

    init() throws {
        advisor = Advisor(knowledge: try KnowledgeBase.bundled())
    }

    @Test("JSON carries the stable fields scripts rely on")
    func jsonShape() throws {
        let report = advisor.advise(AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .poweredAnalog, goals: [.voiceReplies]))
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let recommendations = try #require(object["recommendations"] as? [[String: Any]])
        #expect(recommendations.count == MethodID.allCases.count)
        for entry in recommendations {
            #expect(entry["method"] is String)
            #expect(entry["rank"] is Int)
            #expect(entry["score"] is Int)
            #expect(entry["blocked"] is Bool)
            #expect(entry["reasons"] is [String])
            #expect(entry["blockers"] is [String])
            #expect(entry["conditions"] is [String])
            #expect(entry["sources"] is [String])
        }
        let aux = try #require(recommendations.first { $0["method"] as? String == "aux-out-chain" })
        #expect(aux["blocked"] as? Bool == true)
        #expect((aux["blockers"] as? [String])?.first?.contains("no 3.5 mm output") == true)
        #expect((aux["reasons"] as? [String])?.first?.contains("no 3.5 mm output") == true, "a blocked method's reasons start with its blockers")
        let multiroom = try #require(recommendations.first { $0["method"] as? String == "amazon-multiroom" })
        #expect(multiroom["blocked"] as? Bool == false)
        #expect((multiroom["reasons"] as? [String])?.isEmpty == false)
        #expect((multiroom["blockers"] as? [String]) == [])
        let warnings = try #require(object["warnings"] as? [[String: Any]])
        #expect(warnings.contains { $0["id"] as? String == "line-out-disputed" })
        #expect(object["sources"] is [[String: Any]])
        #expect(object["startingConfig"] is NSNull, "absent values are null, not missing")
        #expect(object["speakerKind"] as? String == "powered-analog")
        #expect(object["disputes"] is [[String: Any]])
    }

    @Test("the text report shows the first method's reasons, the blockers, parts and the article's errors")
    func textReport() throws {
        let report = advisor.advise(AdviceRequest(echoModelID: "echo-dot-3", speakerKind: .poweredAnalog, goals: [.voiceReplies]))
        let text = report.text()
        #expect(text.hasPrefix("Advice for: Echo Dot (3rd Gen); speaker: powered-analog; 1 room; 1 speaker; goals: voice-replies; wiring OK"))
        #expect(text.contains("1. Aux-out chain with AuxChain [aux-out-chain], score 100/100"))
        #expect(text.contains("+ Echo Dot (3rd Gen) has a 3.5 mm stereo output"))
        #expect(text.contains("Not possible here:"))
        #expect(text.contains("x A stereo pair is two Echo devices of the same model"))
        #expect(text.contains("What to buy:"))
        #expect(text.contains("1 x HiFiBerry DAC+ ADC Pro"))
        #expect(text.contains("The article says: The aux-out chain has 0 ms latency and perfect sync."))
        #expect(text.contains("--write-config FILE"))
    }

    @Test("a disagreement's claim and reason appear once in the text, however many methods and warnings it touches")
    func disputesAreNotRepeated() throws {
        var requests = scenarios.compactMap(\.request)
        requests.append(AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .poweredAnalog, rooms: 2, goals: [.multiroom]))
        for request in requests {
            let report = advisor.advise(request)
            let text = report.text()
            for dispute in report.disputes {
                #expect(text.components(separatedBy: dispute.why).count - 1 == 1, "\(dispute.id) in: \(report.requestLine)")
                #expect(text.components(separatedBy: dispute.claim.text).count - 1 == 1, "\(dispute.id) in: \(report.requestLine)")
            }
        }
        let dot5 = advisor.advise(AdviceRequest(echoModelID: "echo-dot-5", speakerKind: .poweredAnalog))
        #expect(dot5.recommendation(.snapcastMultiroom)?.blocked == true)
        #expect(dot5.recommendation(.auxOutChain)?.blocked == true, "two blocked methods and a warning share the one line-out dispute")
        #expect(dot5.warnings.first { $0.id == .lineOutDisputed }?.message
            == "The seed article is wrong about Echo Dot (5th Gen)'s jack: the Echo Dot (5th Gen) has no 3.5 mm jack at all (Amazon's device pages and technical specifications).")
    }

    @Test("request problems name the flag and the allowed values")
    func requestProblems() {
        #expect(AdviceRequest(rooms: 0).problems().map(\.description).contains("--rooms: must be at least 1 (got 0)."))
        #expect(AdviceRequest(rooms: 3, speakers: 2).problems().map(\.flag) == ["--speakers"])
        #expect(AdviceRequest(maxLatencyMs: 0).problems().map(\.flag) == ["--max-latency-ms"])
        #expect(AdviceRequest(rooms: 2).problems().isEmpty, "speakers default to one per room")
    }

    @Test("repeated goals count once")
    func repeatedGoals() {
        #expect(AdviceRequest(goals: [.party, .party, .stereo]).goals == [.party, .stereo])
    }
}

extension AdviceReport {
    /// The report's first line, to say which request a failed expectation is about.
    var requestLine: String { String(text().prefix { $0 != "\n" }) }
}
