using System.Diagnostics;

namespace Orchestrator.Tests;

/// <summary>
/// The scripts that give database and broker logins their passwords run the real tools with stand-ins that record
/// how they were called: a password may reach them by the environment or on standard input, never as an argument,
/// which <c>ps</c> shows to every user of the machine (and of the container).
/// </summary>
public sealed class ScriptPasswordTests : IDisposable
{
    const string Password = "Pw-only-for-this-test-7f3a";

    readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-scripts-").FullName;

    string Arguments => File.Exists(Record) ? File.ReadAllText(Record) : "";
    string Input => File.Exists(Record + ".stdin") ? File.ReadAllText(Record + ".stdin") : "";
    string Record => Path.Combine(_folder, "record");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_test_servers_login_is_created_without_its_password_on_a_command_line()
    {
        Stub("runuser");
        Stub("install");
        Stub("pg_isready", exitCode: 1);

        await RunAsync($"""
            source <(sed -n '/^start_postgres() {"{"}/,/^{"}"}/p' "{Script(".ci/services.sh")}")
            PG_BIN="{_folder}" PG_DIR="{_folder}/pg" PG_PORT=1 PG_SPEED_OPTIONS="" start_postgres
            """);

        Assert.Contains("psql", Arguments, StringComparison.Ordinal);
        Assert.DoesNotContain("app_pw", Arguments, StringComparison.Ordinal);
        Assert.Contains("PASSWORD 'app_pw'", Input, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_SQL_Server_logins_passwords_reach_sqlcmd_by_the_environment()
    {
        var sqlcmd = Stub("sqlcmd");
        var script = Path.Combine(_folder, "run-sql.sh");
        await File.WriteAllTextAsync(script, (await File.ReadAllTextAsync(Script("Orchestrator.Worker/Deployment/sqlserver/run-sql.sh")))
            .Replace("/opt/mssql-tools18/bin/sqlcmd", sqlcmd, StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(_folder, "logins.sql"), "SELECT 1");

        await RunAsync($"""bash "{script}" logins.sql""", new()
        {
            ["SQLCMDUSER"] = "sa",
            ["SQLCMDPASSWORD"] = Password + "-sa",
            ["MIGRATOR_PASSWORD"] = Password + "-migrator",
            ["APP_PASSWORD"] = Password + "-app",
        });

        Assert.Contains("logins.sql", Arguments, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, Arguments, StringComparison.Ordinal);
        Assert.Contains($"MIGRATOR_PASSWORD={Password}-migrator", Input, StringComparison.Ordinal);
        Assert.Contains($"APP_PASSWORD={Password}-app", Input, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_RabbitMQ_users_passwords_reach_rabbitmqctl_on_standard_input()
    {
        Stub("rabbitmqctl");

        await RunAsync($"""
            source <(sed -n '/^set_user() {"{"}/,/^{"}"}/p' "{Script("Orchestrator.Worker/Deployment/rabbitmq/entrypoint.sh")}")
            set_user orchestrator "$APP_PASSWORD"
            """, new() { ["APP_PASSWORD"] = Password });

        Assert.Contains("add_user orchestrator", Arguments, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, Arguments, StringComparison.Ordinal);
        Assert.Contains(Password, Input, StringComparison.Ordinal);
    }

    static string Script(string path) => Path.Combine(ComposeFile.Root, path);

    /// <summary>A program that appends its arguments to the record, and its standard input and the passwords in its environment to the record's .stdin.</summary>
    string Stub(string name, int exitCode = 0)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, $$"""
            #!/bin/bash
            printf '%s\n' "$(basename "$0") $*" >> "{{Record}}"
            cat >> "{{Record}}.stdin"
            env | grep '_PASSWORD=' >> "{{Record}}.stdin" || true
            exit {{exitCode}}
            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    async Task RunAsync(string commands, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/bin/bash", ["-euo", "pipefail", "-c", commands])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PATH"] = $"{_folder}:{Environment.GetEnvironmentVariable("PATH")}";
        foreach (var (name, value) in environment ?? [])
            start.Environment[name] = value;
        using var bash = Process.Start(start)!;
        bash.StandardInput.Close();
        var errors = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, $"the script failed: {errors}");
    }
}
