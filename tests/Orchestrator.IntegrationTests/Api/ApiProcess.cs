using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.IntegrationTests.Api;

/// <summary>
/// The real Orchestrator.Api program in a process of its own, as <c>dotnet run --project Orchestrator.Api</c>
/// starts it: embedded mode, in-memory bus, SQLite. Tests can kill it as a crash would.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    ApiProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }
    public HttpClient Client { get; }
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts the program with <paramref name="settings"/> as environment variables and waits until it answers.</summary>
    public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [ApiAssembly])
        {
            WorkingDirectory = Path.GetDirectoryName(ApiAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Urls"] = address.ToString();
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        var api = new ApiProcess(Process.Start(start)!, address);
        await api.WaitUntilHealthyAsync();
        return api;
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

    /// <summary>Polls the task until it is Completed or Failed.</summary>
    public async Task<JsonNode> WaitUntilFinishedAsync(string taskId, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var task = await GetTaskAsync(taskId);
            var status = task["status"]!.GetValue<string>();
            if (status is "Completed" or "Failed")
                return task;
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

    async Task WaitUntilHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"the Api exited with {(_process.HasExited ? _process.ExitCode : 0)}\n{Output}");
            try
            {
                using var ready = await Client.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the Api did not become ready\n{Output}");
    }

    void Record(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    /// <summary>The Api's own build output, next to its appsettings.json, as <c>dotnet run</c> would use it.</summary>
    static string ApiAssembly
    {
        get
        {
            var output = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            var configuration = output.Parent!.Name;
            var repository = new DirectoryInfo(AppContext.BaseDirectory);
            while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Orchestrator.sln")))
                repository = repository.Parent;
            var assembly = Path.Combine(repository!.FullName, "Orchestrator.Api", "bin", configuration, "net10.0", "Orchestrator.Api.dll");
            Assert.True(File.Exists(assembly), $"{assembly} is not built");
            return assembly;
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
