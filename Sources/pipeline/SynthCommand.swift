import ArgumentParser
import Core

/// `accf synth`: seeded raw interaction logs with planted structure (placeholder until issue 2 lands it).
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth", abstract: "Generate seeded synthetic raw logs.")
    @OptionGroup var global: GlobalOptions
    func run() throws { global.bootstrap() }
}
