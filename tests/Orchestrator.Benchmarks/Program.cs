using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Orchestrator.Benchmarks;
using Orchestrator.Simulators;

// Figures for the README: POST /tasks throughput and latency, workflows completed per second, memory.
// Modes: embedded (one process, in-memory bus, SQLite), rabbitmq-1 and rabbitmq-2 (Api + 1 or 2 Workers on
// RabbitMQ and PostgreSQL: run .ci/benchmark.sh, which starts them). The simulators answer at once.
var modes = args.Length > 0 ? args : ["embedded", "rabbitmq-1", "rabbitmq-2"];
var repository = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(repository, "Orchestrator.sln")))
    repository = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(repository))!;

var rows = new List<string>();
foreach (var mode in modes)
{
    Console.WriteLine($"== {mode}");
    rows.Add(await RunAsync(mode));
}

Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine("| mode | POST /tasks per s (32 clients) | p50 ms | p99 ms | p99 ms at 1,000/s | workflows per s | p50 s submit→done | p99 s | peak RSS MiB |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
rows.ForEach(Console.WriteLine);

async Task<string> RunAsync(string mode)
{
    await using var simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
    var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
    var common = new Dictionary<string, string>
    {
        ["MARKETPLACE_URL"] = simulators.MarketplaceUrl.ToString(),
        ["PAYMENT_MANAGER_URL"] = simulators.PaymentManagerUrl.ToString(),
    };
    var workers = mode switch { "rabbitmq-1" => 1, "rabbitmq-2" => 2, _ => 0 };
    if (workers == 0)
        common["ConnectionStrings__Orchestrator"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"orchestrator-bench-{stamp}.db")}";
    else
    {
        var vhost = await CreateVirtualHostAsync($"orchestrator-bench-{stamp}");
        var postgres = Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES")
            ?? throw new InvalidOperationException("ORCHESTRATOR_TEST_POSTGRES is not set: run .ci/benchmark.sh");
        common["Bus__Transport"] = "RabbitMq";
        common["RabbitMq__VirtualHost"] = vhost;
        common["Database__Provider"] = "Postgres";
        common["ConnectionStrings__Orchestrator"] = $"{postgres};Database=orchestrator_bench_{stamp}";
    }

    var processes = new List<ServiceProcess> { await ServiceProcess.StartAsync(repository, "Orchestrator.Api", "api", common) };
    for (var i = 0; i < workers; i++)
        processes.Add(await ServiceProcess.StartAsync(repository, "Orchestrator.Worker", $"worker-{i + 1}", new Dictionary<string, string>(common) { ["Database__MigrateOnStart"] = "false" }));
    try
    {
        using var http = new HttpClient { BaseAddress = processes[0].Address };
        var warmUp = new Load(http);
        await warmUp.SubmitFlatOutAsync(clients: 8, TimeSpan.FromSeconds(2), maxTasks: 300);
        await warmUp.WaitForAllAsync(warmUp.TaskIds);

        var flatOut = new Load(http);
        var posts = await flatOut.SubmitFlatOutAsync(clients: 32, TimeSpan.FromSeconds(5), maxTasks: 20_000);
        Console.WriteLine($"   {posts.Count} POST /tasks in {posts.Elapsed.TotalSeconds:F1} s; waiting for their workflows");
        await flatOut.WaitForAllAsync(flatOut.TaskIds);

        var paced = new Load(http);
        var atRate = await paced.SubmitAtRateAsync(perSecond: 1000, TimeSpan.FromSeconds(3));
        await paced.WaitForAllAsync(paced.TaskIds);

        var burst = new Load(http);
        await burst.SubmitFlatOutAsync(clients: 32, TimeSpan.FromMinutes(1), maxTasks: 1000);
        var (workflows, completed) = await burst.WaitForAllAsync(burst.TaskIds);
        Console.WriteLine($"   {completed} of {workflows.Count} workflows completed in {workflows.Elapsed.TotalSeconds:F1} s");

        var memory = string.Join(", ", processes.Select(p => $"{p.Name} {p.MemoryMiB().Peak:F0}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"| {mode} | {posts.PerSecond:F0} | {posts.Percentile(50).TotalMilliseconds:F1} | {posts.Percentile(99).TotalMilliseconds:F1} | {atRate.Percentile(99).TotalMilliseconds:F1} | {completed / workflows.Elapsed.TotalSeconds:F0} | {workflows.Percentile(50).TotalSeconds:F2} | {workflows.Percentile(99).TotalSeconds:F2} | {memory} |");
    }
    finally
    {
        foreach (var process in processes)
            await process.DisposeAsync();
    }
}

static async Task<string> CreateVirtualHostAsync(string name)
{
    using var management = new HttpClient { BaseAddress = new Uri("http://localhost:15672/api/") };
    management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
    (await management.PutAsJsonAsync($"vhosts/{name}", new { })).EnsureSuccessStatusCode();
    (await management.PutAsJsonAsync($"permissions/{name}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    return name;
}
