import AuxChainAdvisor
import Testing

@Suite("Myths and FAQ")
struct QuestionTests {
    let knowledge: KnowledgeBase

    init() throws {
        knowledge = try KnowledgeBase.bundled()
    }

    @Test(
        "matches a question in the user's own words to the article's myth or FAQ entry",
        arguments: [
            ("hold the action button to make it a transmitter", "myth-action-button"),
            ("Someone on TikTok said hold the action button for 12 seconds", "myth-action-button"),
            ("will a bluetooth transmitter dongle on the jack fix it?", "myth-transmitter-dongle"),
            ("can my dot and a JBL be a left/right stereo pair", "faq-stereo-bluetooth"),
            ("why does my speaker keep disconnecting after 30 seconds", "faq-disconnect"),
            ("does LE Audio help?", "faq-le-audio"),
            ("can I send Alexa to my hearing aids", "faq-hearing-aids"),
        ]
    )
    func matches(_ text: String, _ id: String) {
        #expect(knowledge.answer(to: text)?.question.id == id)
    }

    @Test("the transmitter myth's answer says no gesture is needed and how to pair instead")
    func actionButtonAnswer() throws {
        let match = try #require(knowledge.answer(to: "hold the action button to make it a transmitter"))
        #expect(match.question.kind == .myth)
        #expect(match.question.answer.text.contains("No button gesture"))
        #expect(match.question.answer.text.contains("Pair a new device"))
        #expect(!match.question.answer.text.contains("right about the button"), "the reset claim is the article's alone")
        #expect(match.question.articleAnswer.source == "seed-article")
        let text = match.text(knowledge: knowledge)
        #expect(text.contains("The seed article answers:"))
        #expect(text.contains("We trust"))
    }

    @Test("an unrelated question matches nothing")
    func unrelatedQuestion() {
        #expect(knowledge.answer(to: "what's the weather tomorrow") == nil)
        #expect(knowledge.answer(to: "") == nil)
    }
}
