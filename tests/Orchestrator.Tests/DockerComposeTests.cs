using System.Data.Common;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Orchestrator.Api.Tasks;
using Orchestrator.ServiceDefaults;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Recovery;
using static Orchestrator.Tests.ComposeFile;

namespace Orchestrator.Tests;

/// <summary>
/// No container engine runs here, so docker-compose.yml is checked for what can go wrong without one: every
/// service built from a Dockerfile that exists, publishes a project of the solution and runs it as a non-root user;
/// every setting given to our hosts one that the code reads; no default credential, no management port, no sa for
/// the hosts; and the RabbitMQ and SQL Server rights that the deployment files give.
/// </summary>
public sealed partial class DockerComposeTests
{
    /// <summary>Read by the Api's authentication, which is being written alongside: until it is merged its option type
    /// cannot be reflected over here.</summary>
    static readonly string[] SettingsOfTheApiAuthentication = ["Auth:Mode", "Auth:SigningKey"];

    static readonly string[] RootUsers = ["root", "0", ""];
    static readonly string[] RabbitMqUsersNotForTheHosts = ["guest", "publisher"];
    static readonly string[] LoginKeys = ["User Id", "User", "Username", "UID"];

    public static TheoryData<string> OurServices => [.. Services.Where(s => Map(s.Value).ContainsKey("build")).Select(s => s.Key)];

    public static TheoryData<string> AllServices => [.. Services.Keys];

    [Fact]
    public void Runs_sql_server_rabbitmq_with_management_the_simulators_the_api_and_two_workers()
    {
        Assert.StartsWith("mcr.microsoft.com/mssql/server", (string)Map(Services["sqlserver"])["image"], StringComparison.Ordinal);
        Assert.Contains("management", (string)Map(Services["rabbitmq"])["image"], StringComparison.Ordinal);
        Assert.Equal("2", Map(Map(Services["worker"])["deploy"])["replicas"]);
        Assert.Contains("simulators", Services.Keys);
        Assert.Contains("api", Services.Keys);
    }

    [Theory]
    [MemberData(nameof(OurServices))]
    public void Each_service_builds_from_a_dockerfile_that_publishes_a_project_of_the_solution(string service)
    {
        var (dockerfile, project) = Build(service);
        var text = File.ReadAllText(dockerfile);

        Assert.True(File.Exists(Path.Combine(Root, project, $"{project}.csproj")), $"{project} is not a project folder");
        Assert.Contains($"{project}\\{project}.csproj", File.ReadAllText(Path.Combine(Root, "Orchestrator.sln")), StringComparison.Ordinal);
        Assert.Matches(@"dotnet publish (""?\$\{?PROJECT\}?""?|" + Regex.Escape(project) + ") ", text);
        Assert.Contains($"{project}.dll", Expand(Entrypoint(dockerfile), FinalStageVariables(dockerfile, project)), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OurServices))]
    public void Each_service_runs_as_a_non_root_user(string service)
    {
        var users = FinalStage(Build(service).Dockerfile).Where(line => line.StartsWith("USER ", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.NotEmpty(users);
        var user = users[^1]["USER ".Length..].Trim().Split(':')[0];
        Assert.DoesNotContain(user, RootUsers);
    }

    [Theory]
    [MemberData(nameof(OurServices))]
    public void Each_setting_given_to_our_hosts_is_one_the_code_reads(string service)
    {
        var unknown = Environment(service).Keys.Select(key => key.Replace("__", ":", StringComparison.Ordinal)).Where(key => !KnownSettings().Contains(key));

        Assert.Empty(unknown);
    }

    /// <summary>A host whose bus cannot recover stops with <see cref="BusSupervisor.RestartExitCode"/> for compose to start it again.</summary>
    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    public void Each_host_on_the_bus_is_started_again_when_it_stops_with_a_failure(string service) =>
        Assert.Equal("on-failure", Map(Services[service])["restart"]);

    [Fact]
    public void The_migrations_have_one_owner_that_the_hosts_wait_for()
    {
        Assert.Equal(["migrate"], Sequence(Map(Services["migrate"])["command"]));
        var entrypoint = JsonSerializer.Deserialize<string[]>(Entrypoint(Build("migrate").Dockerfile))!;
        if (entrypoint is ["sh" or "/bin/sh" or "bash" or "/bin/bash", "-c", var script, ..])
        {
            Assert.Contains("\"$@\"", script, StringComparison.Ordinal);
            Assert.True(entrypoint.Length > 3, "sh -c takes its $0 from the first argument after the script");
        }
        foreach (var host in new[] { "api", "worker" })
        {
            var service = Map(Services[host]);
            Assert.Equal("false", Map(service["environment"])["Database__MigrateOnStart"]);
            Assert.Equal("service_completed_successfully", Map(Map(service["depends_on"])["migrate"])["condition"]);
        }
    }

    [Theory]
    [MemberData(nameof(AllServices))]
    public void Every_credential_is_a_required_variable_without_a_default(string service)
    {
        foreach (var value in Scalars(Services[service]))
        {
            foreach (Match reference in Reference().Matches(value))
                if (Credential().IsMatch(reference.Groups["name"].Value))
                    Assert.StartsWith(":?", reference.Groups["rest"].Value, StringComparison.Ordinal);
        }
        foreach (var (key, value) in Environment(service))
        {
            if (Credential().IsMatch(key))
                Assert.Matches(@"^\$\{\w+:\?[^}]*\}$", value);
            if (key.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
                Assert.Matches(@"^\$\{\w+:\?[^}]*\}$", (string)new DbConnectionStringBuilder { ConnectionString = value }["Password"]);
        }
    }

    [Theory]
    [MemberData(nameof(AllServices))]
    public void The_management_port_is_not_published(string service)
    {
        if (!Map(Services[service]).TryGetValue("ports", out var ports))
            return;

        foreach (var port in (List<object>)ports)
        {
            var (published, target) = port is string text
                ? (text.Split('/')[0].Split(':') is var parts && parts.Length > 1 ? parts[^2] : "", text.Split('/')[0].Split(':')[^1])
                : (Map(port).GetValueOrDefault("published") as string ?? "", Map(port).GetValueOrDefault("target") as string ?? "");
            Assert.NotEqual("15672", target);
            Assert.NotEqual("15672", published);
        }
    }

    [Fact]
    public void The_hosts_use_an_application_login_that_is_neither_sa_nor_the_schema_owner()
    {
        var migrator = Login("migrate");
        Assert.NotEqual("sa", migrator, StringComparer.OrdinalIgnoreCase);
        foreach (var host in new[] { "api", "worker" })
        {
            var login = Login(host);
            Assert.NotEqual("sa", login, StringComparer.OrdinalIgnoreCase);
            Assert.NotEqual(migrator, login, StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Audit_events_are_append_only_for_the_application_login_once_migrated()
    {
        var grants = Map(Services["sqlserver-grants"]);
        Assert.Equal("service_completed_successfully", Map(Map(grants["depends_on"])["migrate"])["condition"]);
        var script = Sequence(grants["entrypoint"]).Single(argument => argument.EndsWith(".sql", StringComparison.Ordinal));
        var sql = File.ReadAllText(Path.Combine(MountedFolder("sqlserver-grants", "/deployment"), script));

        Assert.Contains($"DENY UPDATE, DELETE ON dbo.audit_events TO {Login("api")}", sql, StringComparison.OrdinalIgnoreCase);
        foreach (var host in new[] { "api", "worker" })
            Assert.Equal("service_completed_successfully", Map(Map(Map(Services[host])["depends_on"])["sqlserver-grants"])["condition"]);
    }

    [Fact]
    public void The_publisher_may_only_write_to_the_TaskSubmitted_exchange()
    {
        var folder = MountedFolder("rabbitmq", "/deployment");
        var entrypoint = File.ReadAllText(Path.Combine(folder, Path.GetFileName(Sequence(Map(Services["rabbitmq"])["entrypoint"])[^1])));
        Assert.Contains("publisher", entrypoint, StringComparison.Ordinal);
        Assert.Contains("import_definitions", entrypoint, StringComparison.Ordinal);

        var publisher = Permissions(folder)["publisher"];
        var exchange = $"{typeof(TaskSubmitted).Namespace}:{nameof(TaskSubmitted)}";
        string[] others = ["", "amq.default", "amq.topic", "task-submitted", $"{exchange}X", $"x{exchange}", "Orchestrator.Contracts:TaskAccepted"];

        Assert.Matches(publisher.GetProperty("write").GetString()!, exchange);
        foreach (var other in others)
            Assert.DoesNotMatch(publisher.GetProperty("write").GetString()!, other);
        foreach (var right in new[] { "configure", "read" })
            Assert.All(others.Append(exchange).Where(name => name.Length > 0), name => Assert.DoesNotMatch(publisher.GetProperty(right).GetString()!, name));
    }

    [Fact]
    public void The_hosts_use_the_application_user_of_rabbitmq()
    {
        var user = Environment("api")["RabbitMq__Username"];

        Assert.Equal(user, Environment("worker")["RabbitMq__Username"]);
        Assert.DoesNotContain(user, RabbitMqUsersNotForTheHosts);
        Assert.Contains(user, Permissions(MountedFolder("rabbitmq", "/deployment")).Keys);
    }

    static Dictionary<string, JsonElement> Permissions(string folder)
    {
        using var definitions = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "definitions.json")));
        return definitions.RootElement.GetProperty("permissions").EnumerateArray()
            .Where(p => p.GetProperty("vhost").GetString() == "/")
            .ToDictionary(p => p.GetProperty("user").GetString()!, p => p.Clone());
    }

    static string Login(string service)
    {
        var connection = new DbConnectionStringBuilder { ConnectionString = Environment(service)["ConnectionStrings__Orchestrator"] };
        return LoginKeys.Select(key => connection.TryGetValue(key, out var value) ? (string)value : null).Single(value => value is not null)!;
    }

    /// <summary>The folder of the repository mounted at <paramref name="target"/> in a service.</summary>
    static string MountedFolder(string service, string target)
    {
        var volume = Sequence(Map(Services[service])["volumes"]).Select(v => v.Split(':')).Single(v => v[1] == target);
        var folder = Path.GetFullPath(Path.Combine(Root, volume[0]));
        Assert.True(Directory.Exists(folder), $"{folder} is missing");
        return folder;
    }

    static (string Dockerfile, string Project) Build(string service)
    {
        var build = Map(Map(Services[service])["build"]);
        var dockerfile = Path.Combine(Root, (string)build["context"], (string)build["dockerfile"]);
        Assert.True(File.Exists(dockerfile), $"{dockerfile} is missing");
        var arguments = build.TryGetValue("args", out var args) ? Map(args) : [];
        var project = arguments.TryGetValue("PROJECT", out var name)
            ? (string)name
            : File.ReadLines(dockerfile).Select(line => ProjectArgument().Match(line)).FirstOrDefault(m => m.Success)?.Groups[1].Value
              ?? Path.GetFileName(Path.GetDirectoryName(dockerfile))!;
        return (dockerfile, project);
    }

    /// <summary>The instructions after the last FROM, comments and blank lines left out.</summary>
    static List<string> FinalStage(string dockerfile)
    {
        var lines = File.ReadAllLines(dockerfile).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();
        return lines[lines.FindLastIndex(line => line.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase))..];
    }

    static string Entrypoint(string dockerfile) =>
        FinalStage(dockerfile).Last(line => line.StartsWith("ENTRYPOINT ", StringComparison.OrdinalIgnoreCase))["ENTRYPOINT ".Length..].Trim();

    static Dictionary<string, string> FinalStageVariables(string dockerfile, string project)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["PROJECT"] = project };
        foreach (var line in FinalStage(dockerfile).Where(line => line.StartsWith("ENV ", StringComparison.OrdinalIgnoreCase)))
        {
            var (name, value) = (line[4..].Split('=', 2)[0].Trim(), line[4..].Split('=', 2)[^1].Trim());
            variables[name] = Expand(value, variables);
        }
        return variables;
    }

    static string Expand(string text, Dictionary<string, string> variables) =>
        DockerVariable().Replace(text, m => variables.GetValueOrDefault(m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["bare"].Value, m.Value));

    static HashSet<string> KnownSettings()
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            $"ConnectionStrings:{DatabaseRegistration.ConnectionStringName}", "Urls", "Simulators:MarketplaceUrl", "Simulators:PaymentManagerUrl",
        };
        foreach (var (type, section) in new[] { (typeof(DatabaseOptions), DatabaseOptions.Section), (typeof(BusOptions), BusOptions.Section), (typeof(RabbitMqOptions), RabbitMqOptions.Section), (typeof(RecoveryOptions), RecoveryOptions.Section), (typeof(IntakeOptions), IntakeOptions.Section) })
            known.UnionWith(type.GetProperties().Select(p => $"{section}:{p.Name}"));
        known.UnionWith(typeof(WorkflowOptions).GetProperties().Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name));
        known.UnionWith(SettingsOfTheApiAuthentication);
        return known;
    }

    /// <summary>A compose variable reference, <c>$$</c> (a literal dollar) left out.</summary>
    [GeneratedRegex(@"(?<!\$)\$\{(?<name>\w+)(?<rest>[^}]*)\}")]
    private static partial Regex Reference();

    [GeneratedRegex("password|secret|signingkey|submissionkey|apikey|token", RegexOptions.IgnoreCase)]
    private static partial Regex Credential();

    [GeneratedRegex(@"^\s*ARG\s+PROJECT=(\S+)")]
    private static partial Regex ProjectArgument();

    [GeneratedRegex(@"\$(\{(?<braced>\w+)\}|(?<bare>\w+))")]
    private static partial Regex DockerVariable();
}
