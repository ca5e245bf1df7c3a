import Foundation
import Subprocess
import Testing

@testable import RefractPlugins

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How an exec plugin's `command[0]` becomes the program that runs.
@Suite struct ExecutableLookupTests {
    @Test func aBareNameIsTheFirstExecutableFileOnTheSearchPath() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Skipped: a relative entry, a folder named like the program, a file that is not executable.
        try FileManager.default.createDirectory(atPath: "\(root)/folder/tool", withIntermediateDirectories: true)
        try makeFile("\(root)/plain/tool", permissions: 0o644)
        try makeFile("\(root)/first/tool", permissions: 0o755)
        try makeFile("\(root)/second/tool", permissions: 0o755)

        let executable = ExecTransform.executable(
            "tool", directory: "/plugins/tool",
            searchPath: "relative:\(root)/folder:\(root)/plain:\(root)/first:\(root)/second")
        #expect(executable == .path(FilePath("\(root)/first/tool")))
    }

    @Test func aNameNotOnTheSearchPathStaysANameForSubprocessToLookUpAtEachRun() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let executable = ExecTransform.executable("not-installed-yet", directory: "/plugins/x", searchPath: root)
        #expect(executable == .name("not-installed-yet"))
    }

    @Test func aPathIsTakenInThePluginFolder() {
        let executable = ExecTransform.executable("./bin/run.sh", directory: "/plugins/x", searchPath: "/usr/bin")
        #expect(executable == .path(FilePath("/plugins/x/bin/run.sh")))
    }

    private func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("refract-lookup-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func makeFile(_ path: String, permissions: Int) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8)))
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
    }
}
