using Microsoft.Extensions.FileSystemGlobbing;

namespace Orchestrator.Tests;

/// <summary>
/// What <c>docker build</c> sends to the engine, by .dockerignore's patterns: a <c>.env</c> file holds the
/// deployment's passwords and signing key, and whatever is sent can end up in an image layer.
/// </summary>
public sealed class DockerBuildContextTests
{
    [Fact]
    public void An_env_file_with_the_deployments_secrets_is_not_sent_to_the_build()
    {
        var patterns = File.ReadAllLines(Path.Combine(ComposeFile.Root, ".dockerignore"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToList();
        Assert.DoesNotContain(patterns, pattern => pattern.StartsWith('!'));
        var context = new Matcher();
        context.AddInclude("**/*");
        foreach (var pattern in patterns)
            context.AddExclude(pattern.TrimStart('/'));

        const string root = "/context";
        string[] files = [".env", "deploy/.env", "Orchestrator.Api/.env", "Orchestrator.Api/Program.cs", "Directory.Packages.props"];
        var sent = context.Match(root, files.Select(file => $"{root}/{file}")).Files.Select(file => file.Path);

        Assert.Equal(["Directory.Packages.props", "Orchestrator.Api/Program.cs"], sent.Order(StringComparer.Ordinal));
    }
}
