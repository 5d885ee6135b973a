import Foundation

/// `briefd-fuzz TARGET FILE...` runs each file through a target once (how `make test` replays the seeds and the
/// regression inputs). Built by `make fuzz` (with `-DFUZZING`, libFuzzer and AddressSanitizer), it is the fuzzer
/// itself: `BRIEFD_FUZZ_TARGET=draft briefd-fuzz CORPUS...` with libFuzzer's options.
@main
enum FuzzMain {
    static func main() {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(
                LLVMFuzzerRunDriver(
                    &argc, &argv,
                    { data, size in
                        FuzzMain.target(Array(UnsafeBufferPointer(start: data, count: size)))
                        return 0
                    }))
        #else
            replay()
        #endif
    }

    static func replay() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTargets.all[name] else {
            print(
                "usage: briefd-fuzz TARGET FILE...   (targets: \(FuzzTargets.all.keys.sorted().joined(separator: ", ")))"
            )
            print("make fuzz runs each target under libFuzzer and AddressSanitizer for FUZZ_SECONDS.")
            return
        }
        for file in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            target(Array(data))
        }
    }

    #if FUZZING
        /// The target named by `BRIEFD_FUZZ_TARGET` (see `FuzzTargets.all`).
        static let target: @Sendable ([UInt8]) -> Void = {
            let name = ProcessInfo.processInfo.environment["BRIEFD_FUZZ_TARGET"] ?? ""
            guard let target = FuzzTargets.all[name] else {
                fatalError("BRIEFD_FUZZ_TARGET must be one of \(FuzzTargets.all.keys.sorted())")
            }
            return target
        }()
    #endif
}

#if FUZZING
    /// libFuzzer's driver, for a program that keeps its own `main` (SwiftPM renames an executable's `main`).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32
#endif
