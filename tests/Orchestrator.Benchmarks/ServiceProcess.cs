using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Benchmarks;

/// <summary>One host of the service (Api or Worker), from its Release build, as a process of its own.</summary>
sealed class ServiceProcess : IAsyncDisposable
{
    readonly Process _process;
    bool _disposed;

    ServiceProcess(string name, Process process, Uri address)
    {
        Name = name;
        _process = process;
        Address = address;
        // The hosts log as shipped (Information): their output is read, as a container runtime would, and only
        // warnings and errors (with the lines that follow them, such as a stack trace) are shown, prefixed.
        var shown = new LogFilter();
        process.OutputDataReceived += (_, e) => { if (shown.Shows(e.Data)) Console.Error.WriteLine($"[{name}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public Uri Address { get; }

    /// <summary>The process id (the service itself: it is started as <c>dotnet service.dll</c>).</summary>
    public int Id => _process.Id;

    /// <summary>Ends the process at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_disposed)
            return;
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>CPU time the process has used so far.</summary>
    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Resident set size now and at its peak, in MiB, from /proc.</summary>
    public (double Now, double Peak) MemoryMiB()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        double Read(string key) => double.Parse(status.Single(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        return (Read("VmRSS:"), Read("VmHWM:"));
    }

    /// <summary>
    /// The resident set now by kind, in MiB, from /proc: anonymous (the GC heap, native allocations, thread stacks),
    /// mapped files (the assemblies and native libraries), and shared memory (the runtime's executable memory:
    /// JIT-compiled code and stubs, double-mapped through a memfd).
    /// </summary>
    public (double Anonymous, double Files, double Shared) MemoryByKindMiB()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        double Read(string key) => double.Parse(status.Single(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        return (Read("RssAnon:"), Read("RssFile:"), Read("RssShmem:"));
    }

    /// <summary>
    /// Starts the host and, unless told not to, waits until it is ready. A host that does not become ready is
    /// killed, and the exception says why (its last readiness answer).
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string repository, string project, string name, IReadOnlyDictionary<string, string> settings, bool waitUntilReady = true)
    {
        var assembly = Path.Combine(repository, project, "bin", "Release", "net10.0", $"{project}.dll");
        if (!File.Exists(assembly))
            throw new InvalidOperationException($"{assembly} is missing: build the solution in Release first.");

        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Urls"] = address.ToString();
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} could not be started");
        var service = new ServiceProcess(name, process, address);
        if (!waitUntilReady)
            return service;
        try
        {
            await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; a TimeoutException with the last answer otherwise.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var last = "no answer";
        while (deadline.Elapsed < limit)
        {
            if (_disposed || _process.HasExited)
                throw new InvalidOperationException($"{Name} exited{(_disposed ? "" : $" with {_process.ExitCode}")}");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                    return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} did not become ready within {limit.TotalSeconds:F0} s (last answer: {last})");
    }

    /// <summary>Kills the process if it still runs; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // it has gone already
        }
        finally
        {
            _process.Dispose();
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
