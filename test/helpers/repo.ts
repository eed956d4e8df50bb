/** A throwaway git repository holding this project's files, for the command-line tools' tests. */
import { execFileSync, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.join(__dirname, "..", "..");

export interface ProjectRepo {
    readonly dir: string;
    git(...args: string[]): string;
    /** Runs tools/<tool>.ts of the repository in it. */
    tool(tool: string, ...args: string[]): SpawnSyncReturns<string>;
    /** Rewrites a file of the repository. */
    edit(file: string, change: (text: string) => string): void;
    remove(): void;
}

/** The project's files as they are in the working tree (tracked, or new and not ignored), committed once. */
export function projectRepo(): ProjectRepo {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "f2c-repo-"));
    const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
        cwd: ROOT,
        encoding: "utf8",
    });
    for (const f of listed.split("\n").filter((x) => x && fs.existsSync(path.join(ROOT, x)))) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\n");
    const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: dir, encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "base");
    return {
        dir,
        git,
        tool: (tool, ...args) =>
            spawnSync(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", path.join(dir, "tools", `${tool}.ts`), ...args],
                {
                    cwd: dir,
                    encoding: "utf8",
                },
            ),
        edit: (file, change) =>
            fs.writeFileSync(path.join(dir, file), change(fs.readFileSync(path.join(dir, file), "utf8"))),
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
