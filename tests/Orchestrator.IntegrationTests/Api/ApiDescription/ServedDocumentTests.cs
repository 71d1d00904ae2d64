using System.Diagnostics;

namespace Orchestrator.IntegrationTests.Api.ApiDescription;

/// <summary>
/// The OpenAPI document the running service serves at <c>/openapi/v1.json</c>: clean under Redocly's recommended
/// rules, and the very document in <c>docs/openapi.json</c> that clients (ours in these tests among them) are
/// generated from.
/// </summary>
public sealed class ServedDocumentTests(DefaultRun run) : IClassFixture<DefaultRun>
{
    static readonly string CommittedDocument = Path.Combine(HostProcess.RepositoryRoot, "docs", "openapi.json");

    [Fact]
    public async Task Passes_redocly_recommended_rules_without_an_error_or_a_warning()
    {
        var served = await ServedDocumentAsync();

        var (errors, warnings, problems) = await LintAsync(served);

        Assert.True(errors == 0 && warnings == 0, $"redocly lint: {errors} errors, {warnings} warnings\n{problems}");
    }

    [Fact]
    public async Task Redocly_finds_an_operation_without_an_id()
    {
        var served = JsonNode.Parse(await ServedDocumentAsync())!;
        served["paths"]!["/tasks"]!["get"]!.AsObject().Remove("operationId");

        var (_, warnings, problems) = await LintAsync(served.ToJsonString());

        Assert.True(warnings == 1, problems);
        Assert.Contains("operation-operationId", problems, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Is_the_document_in_docs_that_clients_are_generated_from()
    {
        var served = JsonNode.Parse(await ServedDocumentAsync())!;
        // The only difference allowed: the server is the address this run listens on, the committed one the default's.
        Assert.Equal(run.Api.Address.ToString().TrimEnd('/'), served["servers"]![0]!["url"]!.GetValue<string>());
        served["servers"]![0]!["url"] = "http://localhost:8000";

        // After a change of the API: ORCHESTRATOR_UPDATE_OPENAPI=1 writes the served document there (then review the diff).
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(CommittedDocument, served.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedDocument))!;

        Assert.True(JsonNode.DeepEquals(committed, served),
            $"docs/openapi.json is not what the service serves: run this test with ORCHESTRATOR_UPDATE_OPENAPI=1 and review the diff\n{served}");
    }

    [Fact]
    public async Task Describes_every_route_with_an_operation_id_and_its_answers()
    {
        var paths = JsonNode.Parse(await ServedDocumentAsync())!["paths"]!.AsObject();

        var operations = paths.SelectMany(path => path.Value!.AsObject().Select(operation => (Route: $"{operation.Key.ToUpperInvariant()} {path.Key}", Operation: operation.Value!)))
            .ToDictionary(o => o.Route, o => o.Operation);

        Assert.Equal(
            ["GET /health", "GET /health/ready", "GET /metrics", "GET /spending", "GET /tasks", "GET /tasks/{taskId}", "GET /tasks/{taskId}/audit",
             "GET /tasks/{taskId}/events", "GET /tasks/{taskId}/receipts", "GET /tasks/{taskId}/report", "GET /tasks/{taskId}/report.html",
             "POST /tasks", "POST /tasks/{taskId}/approve", "POST /tasks/{taskId}/cancel", "POST /tasks/{taskId}/reject"],
            operations.Keys.Order(StringComparer.Ordinal));
        Assert.All(operations.Values, operation => Assert.NotNull(operation["operationId"]));
        Assert.Equal(["200", "400", "401", "413", "422", "429", "503"], Statuses(operations["POST /tasks"]));
        Assert.Equal(["202", "400", "401", "404", "409", "503"], Statuses(operations["POST /tasks/{taskId}/cancel"]));
        Assert.Equal(["202", "400", "401", "404", "409"], Statuses(operations["POST /tasks/{taskId}/approve"]));
        Assert.Equal(["202", "400", "401", "404", "409"], Statuses(operations["POST /tasks/{taskId}/reject"]));
        Assert.NotNull(operations["POST /tasks"]["responses"]!["429"]!["headers"]!["Retry-After"]);
        Assert.Equal("text/event-stream", Assert.Single(operations["GET /tasks/{taskId}/events"]["responses"]!["200"]!["content"]!.AsObject()).Key);
        Assert.Empty(operations["GET /health"]["security"]!.AsArray());
    }

    static string[] Statuses(JsonNode operation) => [.. operation["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal)];

    async Task<string> ServedDocumentAsync()
    {
        using var response = await run.Api.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary><c>redocly lint</c> with the recommended rules (the pinned version of tests/node-tools), on a file of its own.</summary>
    static async Task<(int Errors, int Warnings, string Problems)> LintAsync(string document)
    {
        var cli = Path.Combine(HostProcess.RepositoryRoot, "tests", "node-tools", "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"{cli} is missing: .ci/services.sh installs it (npm ci in tests/node-tools)");
        var folder = Directory.CreateTempSubdirectory("openapi-lint-");
        try
        {
            var file = Path.Combine(folder.FullName, "openapi.json");
            await File.WriteAllTextAsync(file, document);
            var start = new ProcessStartInfo("node", [cli, "lint", file, "--extends", "recommended", "--format", "json"])
            {
                WorkingDirectory = folder.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" },
            };
            using var lint = Process.Start(start)!;
            var output = lint.StandardOutput.ReadToEndAsync();
            var errors = lint.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await lint.WaitForExitAsync(limit.Token);
            var result = JsonNode.Parse(await output) ?? throw new InvalidOperationException($"redocly printed nothing: {await errors}");
            return (result["totals"]!["errors"]!.GetValue<int>(), result["totals"]!["warnings"]!.GetValue<int>(), result["problems"]!.ToJsonString());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
