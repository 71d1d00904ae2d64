using System.Reflection;
using Microsoft.Extensions.Configuration;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Worker.Hosting;
using Orchestrator.Worker.Recovery;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Orchestrator.Tests;

/// <summary>
/// No container engine runs here, so docker-compose.yml is checked for what can go wrong without one: every
/// service built from a Dockerfile that exists and publishes a project of the solution, and every setting given
/// to our hosts one that the code reads.
/// </summary>
public sealed class DockerComposeTests
{
    static readonly string Root = RepositoryRoot();
    static readonly Dictionary<string, object> Services = LoadServices();

    public static TheoryData<string> OurServices => [.. Services.Where(s => Map(s.Value).ContainsKey("build")).Select(s => s.Key)];

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
        var build = Map(Map(Services[service])["build"]);
        var dockerfile = Path.Combine(Root, (string)build["context"], (string)build["dockerfile"]);

        Assert.True(File.Exists(dockerfile), $"{dockerfile} is missing");
        var text = File.ReadAllText(dockerfile);
        var project = Path.GetFileName(Path.GetDirectoryName(dockerfile))!;
        Assert.True(File.Exists(Path.Combine(Root, project, $"{project}.csproj")));
        Assert.Contains($"dotnet publish {project}", text, StringComparison.Ordinal);
        Assert.Contains($"\"{project}.dll\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OurServices))]
    public void Each_setting_given_to_our_hosts_is_one_the_code_reads(string service)
    {
        var environment = Map(Services[service]).TryGetValue("environment", out var values) ? Map(values) : [];

        var unknown = environment.Keys.Select(key => key.Replace("__", ":", StringComparison.Ordinal)).Where(key => !KnownSettings().Contains(key));

        Assert.Empty(unknown);
    }

    [Fact]
    public void The_migrations_have_one_owner_that_the_hosts_wait_for()
    {
        Assert.Equal(["migrate"], Sequence(Map(Services["migrate"])["command"]));
        foreach (var host in new[] { "api", "worker" })
        {
            var service = Map(Services[host]);
            Assert.Equal("false", Map(service["environment"])["Database__MigrateOnStart"]);
            Assert.Equal("service_completed_successfully", Map(Map(service["depends_on"])["migrate"])["condition"]);
        }
    }

    static HashSet<string> KnownSettings()
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            $"ConnectionStrings:{DatabaseRegistration.ConnectionStringName}", "Urls", "Simulators:MarketplaceUrl", "Simulators:PaymentManagerUrl",
        };
        foreach (var (type, section) in new[] { (typeof(DatabaseOptions), DatabaseOptions.Section), (typeof(BusOptions), BusOptions.Section), (typeof(RabbitMqOptions), RabbitMqOptions.Section), (typeof(RecoveryOptions), RecoveryOptions.Section) })
            known.UnionWith(type.GetProperties().Select(p => $"{section}:{p.Name}"));
        known.UnionWith(typeof(WorkflowOptions).GetProperties().Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name));
        return known;
    }

    static Dictionary<string, object> Map(object node) =>
        ((Dictionary<object, object>)node).ToDictionary(entry => (string)entry.Key, entry => entry.Value);

    static List<string> Sequence(object node) => [.. ((List<object>)node).Cast<string>()];

    static Dictionary<string, object> LoadServices()
    {
        using var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"));
        var compose = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(new MergingParser(new Parser(reader)));
        return Map(compose["services"]);
    }

    static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Orchestrator.sln")))
            folder = folder.Parent;
        return folder!.FullName;
    }
}
