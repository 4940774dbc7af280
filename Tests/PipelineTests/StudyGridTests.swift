import Core
import Foundation
import XCTest
@testable import pipeline

/// The grid expands as the manifest says: experiments on/off and sized, shared cells trained once,
/// one ingest and graph per data variant, and bad `[study]` keys rejected with file and line.
final class StudyGridTests: XCTestCase {
    private var root = ""
    override func setUpWithError() throws { root = try StudyFixture.folder() }
    override func tearDown() { if !root.isEmpty { FilePath.removeTree(root) } }

    func testGridExpandsAsConfigured() throws {
        let text = StudyFixture.manifestText(study: """
        models = ["bprmf", "lightgcn", "accf"]
        seeds = [7, 8, 9]
        [study.model_options.accf]
        epsilon = 0.1
        lambda_cl = 0.05
        [study.cold_start]
        train_fraction = 0.5
        models = ["lightgcn", "accf"]
        [study.noise]
        fractions = [0, 0.1, 0.2]
        seed_count = 2
        models = ["accf"]
        [study.ablation]
        seed_count = 1
        [study.sensitivity]
        epsilon = [0.1, 0.2]
        lambda_cl = [0.05, 0.1]
        """)
        let d = try StudyFixture.definition(text, in: root)
        let g = d.grid
        XCTAssertEqual(g.main.count, 9, "3 models × 3 seeds")
        XCTAssertEqual(Set(g.main.map(\.seed)), [7, 8, 9])
        XCTAssertEqual(g.coldStart.count, 2)
        XCTAssertTrue(g.coldStart.allSatisfy { $0.data.id == "cold-0.5" })
        XCTAssertEqual(g.noise.count, 6, "3 fractions × 2 seeds × 1 model")
        XCTAssertEqual(g.noise.filter { $0.data == .clean }.count, 2, "noise 0% is the clean data")
        XCTAssertEqual(g.ablation.count, 4)
        XCTAssertEqual(g.sensitivity.count, 4)
        // Distinct cells: 9 main + 2 cold + 4 noisy (0.1, 0.2 × 2 seeds) + 3 ablations + 3 sensitivity points.
        XCTAssertEqual(g.cells.count, 9 + 2 + 4 + 3 + 3)
        XCTAssertEqual(Set(g.cells.map(\.id)).count, g.cells.count)
        XCTAssertTrue(g.cells.contains { $0.id == "clean/accf@epsilon=0.2,lambda_cl=0.1/s7" })
        XCTAssertTrue(g.cells.contains { $0.id == "clean/accf@adversarial_view=false/s7" })
        XCTAssertEqual(g.dataVariants.map(\.id), ["clean", "cold-0.5", "noise-0.1", "noise-0.2"])
        XCTAssertEqual(d.stages.count, 2 * 4 + g.cells.count)
        XCTAssertEqual(Set(d.stages.map(\.name)).count, d.stages.count, "stage names are unique")
        // The main table's cells come first: a study cut short still has Table 1.
        XCTAssertEqual(Array(g.cells.prefix(9)).map(\.id), g.main.map(\.id))
        let accf = d.stages.first { $0.name == "train:clean/accf@instance_weights=false/s7" }
        XCTAssertTrue(accf?.parameters.contains("\"instance_weights\":false") ?? false)
        XCTAssertTrue(accf?.parameters.contains("\"seed\":7") ?? false)
        XCTAssertTrue(d.stages.first { $0.name == "ingest:noise-0.2" }?.parameters.contains("\"noise_fraction\":0.2") ?? false)
    }

    func testExperimentsSwitchOff() throws {
        let text = StudyFixture.manifestText(study: """
        models = ["bprmf", "accf"]
        seeds = [1, 2]
        \(StudyFixture.mainTableOnly)
        """)
        let g = try StudyFixture.definition(text, in: root).grid
        XCTAssertEqual(g.cells.count, 4)
        XCTAssertEqual(g.dataVariants, [.clean])
    }

    func testUnknownKeysAreRejectedWithTheirLine() throws {
        for (study, key) in [("modles = [\"bprmf\"]", "study.modles"), ("[study.noise]\nfraction = [0.1]", "study.noise.fraction"),
                             ("[study.ablation]\nseeds = 2", "study.ablation.seeds")] {
            let text = StudyFixture.manifestText(study: study)
            XCTAssertThrowsError(try StudyFixture.definition(text, in: root), key) { error in
                let e = error as? AccfError
                XCTAssertEqual(e?.status, .usage)
                XCTAssertTrue(e?.message.contains("unknown key \(key)") ?? false, e?.message ?? "")
                XCTAssertTrue(e?.message.contains("study.toml:") ?? false, e?.message ?? "")
            }
        }
        // An unknown model option is caught before anything trains.
        let text = StudyFixture.manifestText(study: "models = [\"accf\"]\n[study.model_options.accf]\nepsilonn = 0.1")
        XCTAssertThrowsError(try StudyFixture.definition(text, in: root)) { error in
            XCTAssertTrue((error as? AccfError)?.message.contains("epsilonn") ?? false)
        }
        // An unknown section, and [train.model_options] (ambiguous in a study).
        XCTAssertThrowsError(try StudyFixture.definition(StudyFixture.manifestText(study: "") + "\n[export]\nk = 5", in: root))
        XCTAssertThrowsError(try StudyFixture.definition(StudyFixture.manifestText(study: "", extra: "[train.model_options]\nepsilon = 0.1"), in: root))
    }

    /// `[study.train.<model>]` overrides `[train]` for that model's cells only; bad keys are refused.
    func testPerModelTrainOverrides() throws {
        let text = StudyFixture.manifestText(study: """
        models = ["lightgcn", "xsimgcl", "accf"]
        seeds = [1]
        [study.train.xsimgcl]
        layers = 2
        min_epochs = 3
        max_epochs = 4
        """)
        let d = try StudyFixture.definition(text, in: root)
        XCTAssertEqual(d.trainByModel["xsimgcl"]?.layers, 2)
        XCTAssertEqual(d.trainByModel["xsimgcl"]?.maxEpochs, 4)
        XCTAssertEqual(d.trainByModel["accf"], d.train)
        XCTAssertEqual(d.trainOverrides["xsimgcl"], ["layers 2", "max_epochs 4", "min_epochs 3"])
        let xsim = d.stages.filter { $0.name.hasPrefix("train:") && $0.name.contains("/xsimgcl/") }
        let others = d.stages.filter { $0.name.hasPrefix("train:") && !$0.name.contains("/xsimgcl/") }
        XCTAssertFalse(xsim.isEmpty)
        XCTAssertTrue(xsim.allSatisfy { $0.parameters.contains("\"layers\":2") && $0.parameters.contains("\"max_epochs\":4") })
        XCTAssertTrue(others.allSatisfy { $0.parameters.contains("\"layers\":1") && $0.parameters.contains("\"max_epochs\":2") })
        for (extra, words) in [("[study.train.xsimgcl]\nlayres = 2", "layres"), ("[study.train.xsimgcl]\nseed = 3", "set per cell"),
                               ("[study.train.nope]\nlayers = 2", "study.train.nope"), ("[study.train.accf]\nlayers = -1", "layers")] {
            let bad = StudyFixture.manifestText(study: "models = [\"xsimgcl\", \"accf\"]\n" + extra)
            XCTAssertThrowsError(try StudyFixture.definition(bad, in: root), extra) { error in
                XCTAssertEqual((error as? AccfError)?.status, .usage)
                XCTAssertTrue((error as? AccfError)?.message.contains(words) ?? false, "\(error)")
            }
        }
    }

    /// The shipped study manifests decode and validate (every cell's train config too).
    func testShippedStudiesAreValid() throws {
        let pipelines = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines").path
        for (name, cells) in [("study-ml-100k", 50), ("study-ml-100k-long", 5), ("study-yelp2018", 47)] {
            do {
                let d = try StudyDefinition.load(path: "\(pipelines)/\(name).toml")
                XCTAssertEqual(d.settings.name, name)
                XCTAssertEqual(d.grid.cells.count, cells, name)
                if name != "study-ml-100k-long" {   // the long one is a one-seed check
                    XCTAssertGreaterThanOrEqual(d.settings.seeds.count, 3, "the main table needs ≥ 3 seeds")
                }
                XCTAssertTrue(d.settings.workdir.hasSuffix("/runs/\(name)"))
            } catch let error as AccfError where error.status == .noInput {
                print("skipping the input check of \(name): \(error.description)")   // ../shared/data absent
            }
        }
    }

    func testBadValuesNameTheKey() throws {
        for (study, words) in [("models = [\"nope\"]", "study.models"), ("seeds = []", "study.seeds"),
                               ("[study.noise]\nseed_count = 9", "study.noise.seed_count"),
                               ("[study.cold_start]\ntrain_fraction = 1.5", "study.cold_start.train_fraction")] {
            XCTAssertThrowsError(try StudyFixture.definition(StudyFixture.manifestText(study: study), in: root), study) { error in
                XCTAssertTrue((error as? AccfError)?.message.contains(words) ?? false, "\(error)")
            }
        }
    }
}
