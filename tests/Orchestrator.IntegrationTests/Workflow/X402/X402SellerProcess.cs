using System.Diagnostics;

namespace Orchestrator.IntegrationTests.Workflow.X402;

/// <summary>
/// The real x402 seller of tests/x402-seller (@x402/express with a local facilitator that verifies signatures and
/// settles into a ledger) as a Node process of its own, on a free port; killed at the end.
/// </summary>
public sealed class X402SellerProcess : IAsyncDisposable
{
    static readonly string Folder = Path.Combine(HostProcess.RepositoryRoot, "tests", "x402-seller");

    readonly Process _process;
    readonly ChildProcessOutput _output;

    X402SellerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        _output = new ChildProcessOutput(process);
    }

    public Uri Address { get; }
    public HttpClient Client { get; }

    public string Output => _output.Text;

    /// <summary>Starts a seller; <paramref name="environment"/> adds its settings (say, <c>MAX_TIMEOUT_SECONDS</c>).</summary>
    public static async Task<X402SellerProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(Path.Combine(Folder, "node_modules", "@x402", "express", "package.json")),
            $"{Folder}/node_modules is missing: .ci/services.sh installs it (npm ci in tests/x402-seller)");
        var address = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var start = new ProcessStartInfo(NodeRequirement.Node!, ["server.js"])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["PORT"] = address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["HOST"] = "127.0.0.1" },
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var seller = new X402SellerProcess(Process.Start(start)!, address);
        await seller.WaitUntilListeningAsync();
        return seller;
    }

    /// <summary>Every settlement the seller's facilitator made, oldest first.</summary>
    public async Task<IReadOnlyList<JsonNode>> SettlementsAsync() =>
        [.. JsonNode.Parse(await Client.GetStringAsync("/_ledger"))!["settlements"]!.AsArray().Select(s => s!)];

    /// <summary>Arms exactly these faults (DELETE, then POST /_faults: none armed before stays); null clears them all.</summary>
    public async Task FaultsAsync(object? faults)
    {
        using (var cleared = await Client.DeleteAsync("/_faults"))
            cleared.EnsureSuccessStatusCode();
        if (faults is null)
            return;
        using var armed = await Client.PostAsJsonAsync("/_faults", faults);
        armed.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    Task WaitUntilListeningAsync() =>
        _output.WaitUntilAnswersAsync(_process, Client, "/health", "the x402 seller", TimeSpan.FromSeconds(60));

}

/// <summary>Where <c>node</c> is on the PATH; the x402 tests are skipped only where there is none.</summary>
public static class NodeRequirement
{
    public static string? Node { get; } = Find();

    static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, OperatingSystem.IsWindows() ? "node.exe" : "node"))
            .FirstOrDefault(File.Exists);
}

/// <summary>A test that needs Node (the x402 seller): skipped, saying so, on a machine without it.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodeRequirement.Node is null)
            Skip = "node is not installed: the x402 seller (tests/x402-seller) cannot run";
    }
}
