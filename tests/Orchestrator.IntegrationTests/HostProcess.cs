using System.Diagnostics;

namespace Orchestrator.IntegrationTests;

/// <summary>
/// A real host of the service (Orchestrator.Api or Orchestrator.Worker) in a process of its own, started from its
/// own build output as <c>dotnet run</c> would. Tests can kill it as a crash would.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly ChildProcessOutput _output;

    HostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        _output = new ChildProcessOutput(process);
    }

    public Uri Address { get; }
    public HttpClient Client { get; }
    public string Output => _output.Text;

    /// <summary>The process's exit code once it has exited; null while it runs.</summary>
    public int? ExitCode
    {
        get
        {
            if (!_process.HasExited)
                return null;
            _process.WaitForExit(); // the output read to its end
            return _process.ExitCode;
        }
    }

    /// <summary>Starts the Api with <paramref name="settings"/> as environment variables and waits until it is ready.</summary>
    public static Task<HostProcess> StartApiAsync(IReadOnlyDictionary<string, string> settings) => StartAsync("Orchestrator.Api", settings);

    /// <summary>Starts a Worker with <paramref name="settings"/> as environment variables and waits until it is ready.</summary>
    public static Task<HostProcess> StartWorkerAsync(IReadOnlyDictionary<string, string> settings) => StartAsync("Orchestrator.Worker", settings);

    /// <summary>Starts a Worker without waiting for it to be ready (its broker or database may be down).</summary>
    public static HostProcess LaunchWorker(IReadOnlyDictionary<string, string> settings) => Launch("Orchestrator.Worker", settings);

    /// <summary>Whether <c>/health/ready</c> answers 200 now, and what it said.</summary>
    public async Task<(bool Ready, string Answer)> ReadinessAsync()
    {
        try
        {
            using var response = await Client.GetAsync("/health/ready");
            return (response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, e.Message);
        }
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200, failing the test after <paramref name="limit"/>.</summary>
    public Task WaitUntilReadyAsync(TimeSpan limit) => WaitUntilHealthyAsync(limit);

    /// <summary>Starts the Api expecting it to refuse to run: its exit code and output, once it has exited.</summary>
    public static async Task<(int ExitCode, string Output)> RunApiUntilExitAsync(IReadOnlyDictionary<string, string> settings)
    {
        var host = Launch("Orchestrator.Api", settings);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host._process.WaitForExitAsync(limit.Token);
        host._process.WaitForExit();
        var result = (host._process.ExitCode, host.Output);
        await host.DisposeAsync();
        return result;
    }

    static async Task<HostProcess> StartAsync(string project, IReadOnlyDictionary<string, string> settings)
    {
        var host = Launch(project, settings);
        await host.WaitUntilHealthyAsync();
        return host;
    }

    static HostProcess Launch(string project, IReadOnlyDictionary<string, string> settings)
    {
        var address = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var assembly = BuiltAssembly(project);
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Urls"] = address.ToString();
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        return new HostProcess(Process.Start(start)!, address);
    }

    /// <summary>Ends the process at once, the way a crash or a power cut would: no graceful shutdown.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<string> SubmitAsync(object body)
    {
        using var response = await Client.PostAsJsonAsync("/tasks", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /tasks: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
    }

    public async Task<JsonNode> GetTaskAsync(string taskId) =>
        JsonNode.Parse(await Client.GetStringAsync($"/tasks/{taskId}"))!;

    /// <summary>
    /// Polls the task until it is Completed, Failed or Cancelled. A task published straight onto the bus may answer 404 until
    /// a Worker has recorded it.
    /// </summary>
    public async Task<JsonNode> WaitUntilFinishedAsync(string taskId, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await Client.GetAsync($"/tasks/{taskId}");
            var task = response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync());
            var status = task?["status"]!.GetValue<string>() ?? "unknown";
            if (status is "Completed" or "Failed" or "Cancelled")
                return task!;
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is still {status}\n{Output}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    Task WaitUntilHealthyAsync(TimeSpan? limit = null) =>
        _output.WaitUntilAnswersAsync(_process, Client, "/health/ready", "the host", limit ?? TimeSpan.FromSeconds(60));

    /// <summary>The repository's root folder (where Orchestrator.sln is).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    static string FindRepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Orchestrator.sln")))
            folder = folder.Parent;
        return folder!.FullName;
    }

    /// <summary>The project's own build output, next to its settings, as <c>dotnet run</c> would use it.</summary>
    static string BuiltAssembly(string project)
    {
        var output = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var configuration = output.Parent!.Name;
        var assembly = Path.Combine(RepositoryRoot, project, "bin", configuration, "net10.0", $"{project}.dll");
        Assert.True(File.Exists(assembly), $"{assembly} is not built");
        return assembly;
    }
}
