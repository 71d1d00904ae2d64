using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.IntegrationTests.Api;

/// <summary>
/// One task through the embedded Api as a process, its simulators in a hostile mode chosen by configuration
/// (<c>Simulators:Hostile</c>), with HTTP_TIMEOUT=2 and MAX_RETRIES=1; then what every attack must leave intact:
/// the task ends, nothing is spent beyond the budget or the ledger, no token reaches the other host, nothing
/// big is stored, and the service still answers.
/// </summary>
public sealed class HostileMarketplaceRun : IAsyncDisposable
{
    /// <summary>Where the marketplace hangs, the task must still end within this.</summary>
    public static readonly TimeSpan FinalWithin = TimeSpan.FromSeconds(40);

    readonly TestDatabase _database;
    readonly HttpClient _outside = new() { Timeout = TimeSpan.FromSeconds(10) };

    HostileMarketplaceRun(TestDatabase database, HostProcess api, Uri paymentManager, Uri elsewhere)
    {
        _database = database;
        Api = api;
        PaymentManager = paymentManager;
        Elsewhere = elsewhere;
    }

    public HostProcess Api { get; }
    public Uri PaymentManager { get; }
    public Uri Elsewhere { get; }

    public string TaskId { get; private set; } = "";
    public long Budget { get; private set; }

    /// <summary>The task as <c>GET /tasks/{id}</c> answered once it was final.</summary>
    public JsonNode Task { get; private set; } = null!;

    /// <summary>From the task's submission until it was final.</summary>
    public TimeSpan Took { get; private set; }

    public string Status => Task["status"]!.GetValue<string>();
    public string? Error => Task["error"]?["error"]!.GetValue<string>();
    public string? ErrorMessage => Task["error"]?["message"]!.GetValue<string>();
    public long Spent => Task["spent"]!.GetValue<long>();
    public string Report => Task["report"]!.GetValue<string>();
    public IReadOnlyList<JsonNode> Plan => [.. Task["plan"]!.AsArray().Select(p => p!)];

    /// <summary>Starts the Api on a marketplace that attacks with <paramref name="hostility"/>, runs one task on it and waits until it is final.</summary>
    public static async Task<HostileMarketplaceRun> RunAsync(Hostility hostility, string theme, long budget)
    {
        var run = await StartAsync(hostility);
        try
        {
            var clock = Stopwatch.StartNew();
            run.TaskId = await run.Api.SubmitAsync(new { theme, budget, voice_id = "hostile_voice" });
            run.Task = await run.Api.WaitUntilFinishedAsync(run.TaskId, FinalWithin);
            run.Took = clock.Elapsed;
            run.Budget = budget;
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    static async Task<HostileMarketplaceRun> StartAsync(Hostility hostility)
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var (marketplace, paymentManager, elsewhere) = (FreeUrl(), FreeUrl(), FreeUrl());
        var api = await HostProcess.StartApiAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = database.ConnectionString,
            ["Simulators__Hostile"] = hostility.ToString(),
            // The attacks are the seed dialect's: every item is sold in it here (the default sells the even ones over x402).
            ["Simulators__X402Items"] = "",
            ["Simulators__MarketplaceUrl"] = marketplace.GetLeftPart(UriPartial.Authority),
            ["Simulators__PaymentManagerUrl"] = paymentManager.GetLeftPart(UriPartial.Authority),
            ["Simulators__ElsewhereUrl"] = elsewhere.GetLeftPart(UriPartial.Authority),
            // A marketplace that hangs must be cut off by the deadline; the others answer, and a busy machine
            // must not turn a slow answer into a failure.
            ["HTTP_TIMEOUT"] = hostility.ToString().Contains("Trickle", StringComparison.Ordinal) ? "2" : "10",
            ["MAX_RETRIES"] = "1",
            ["RETRY_DELAY"] = "0.5",
            // A call that keeps timing out is a supplier outage: the step is tried again later until the workflow
            // timeout, which then fails the task with the call's error; here it comes after 25 s.
            ["WORKFLOW_TIMEOUT"] = hostility is Hostility.TrickleCatalog or Hostility.TricklePrice or Hostility.TrickleFetch ? "25" : "300",
            ["Recovery__SweepInterval"] = "00:00:01",
        });
        return new HostileMarketplaceRun(database, api, paymentManager, elsewhere);
    }

    /// <summary>What must hold after any attack.</summary>
    public async Task AssertContainedAsync()
    {
        var raw = await Api.Client.GetStringAsync($"/tasks/{TaskId}");
        var task = JsonNode.Parse(raw)!;
        var spent = task["spent"]!.GetValue<long>();
        Assert.InRange(spent, 0, Budget);
        Assert.Equal(spent, await LedgerTotalAsync());
        Assert.Empty(await ReceivedElsewhereAsync());
        Assert.InRange(raw.Length, 1, 256 * 1024);
        using var health = await Api.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.DoesNotContain("tok_", Api.Output, StringComparison.Ordinal);
    }

    public async Task<long> LedgerTotalAsync()
    {
        var ledger = JsonNode.Parse(await _outside.GetStringAsync(new Uri(PaymentManager, "ledger")))!;
        return ledger["charges"]!.AsArray().Sum(c => c!["amount"]!.GetValue<long>());
    }

    public async Task<int> ChargesAsync() =>
        JsonNode.Parse(await _outside.GetStringAsync(new Uri(PaymentManager, "ledger")))!["charges"]!.AsArray().Count;

    /// <summary>Every request that reached the other host, as the simulators recorded it.</summary>
    public async Task<IReadOnlyList<string>> ReceivedElsewhereAsync() =>
        [.. JsonNode.Parse(await _outside.GetStringAsync(new Uri(Elsewhere, "received")))!.AsArray().Select(r => r!.GetValue<string>())];

    public async ValueTask DisposeAsync()
    {
        _outside.Dispose();
        await Api.DisposeAsync();
        await _database.DisposeAsync();
    }

    static Uri FreeUrl()
    {
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{LoopbackPort.Free()}/"));
    }
}
