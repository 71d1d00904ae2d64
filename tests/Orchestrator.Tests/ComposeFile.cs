using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Orchestrator.Tests;

/// <summary>docker-compose.yml, read as YAML: its services, and the nodes of a service as maps, lists and text.</summary>
static class ComposeFile
{
    /// <summary>The repository's root folder (where Orchestrator.sln is).</summary>
    public static readonly string Root = RepositoryRoot();

    public static readonly Dictionary<string, object> Services = LoadServices();

    public static Dictionary<string, string> Environment(string service) =>
        Map(Services[service]).TryGetValue("environment", out var values) ? Map(values).ToDictionary(e => e.Key, e => (string)e.Value) : [];

    public static IEnumerable<string> Scalars(object node) => node switch
    {
        string text => [text],
        Dictionary<object, object> map => map.Values.SelectMany(Scalars),
        List<object> list => list.SelectMany(Scalars),
        _ => [],
    };

    public static Dictionary<string, object> Map(object node) =>
        ((Dictionary<object, object>)node).ToDictionary(entry => (string)entry.Key, entry => entry.Value);

    public static List<string> Sequence(object node) => [.. ((List<object>)node).Cast<string>()];

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
