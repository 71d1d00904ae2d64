using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Benchmarks;

/// <summary>Drives the Api over HTTP: submissions as fast as it takes them, at a fixed rate, and to completion.</summary>
sealed class Load(HttpClient api)
{
    static readonly string[] Themes =
        ["Tesla Inc financial performance 2023", "AI market trends in healthcare", "Blockchain adoption in finance", "Renewable energy investment", "Semiconductors foundry chips"];

    int _submitted;

    public List<string> TaskIds { get; } = [];

    /// <summary>Closed loop: <paramref name="clients"/> clients submit back to back for <paramref name="duration"/>.</summary>
    public async Task<Latencies> SubmitFlatOutAsync(int clients, TimeSpan duration, int maxTasks)
    {
        var latencies = new Latencies();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (clock.Elapsed < duration && Volatile.Read(ref _submitted) < maxTasks)
                await TimedSubmitAsync(latencies);
        }));
        latencies.Elapsed = clock.Elapsed;
        return latencies;
    }

    /// <summary>Open loop: one submission every 1/<paramref name="perSecond"/> s, whatever the answers take.</summary>
    public async Task<Latencies> SubmitAtRateAsync(int perSecond, TimeSpan duration)
    {
        var latencies = new Latencies();
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>();
        for (var i = 0; i < perSecond * duration.TotalSeconds; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            if (due > clock.Elapsed)
                await Task.Delay(due - clock.Elapsed);
            pending.Add(Task.Run(() => TimedSubmitAsync(latencies)));
        }

        await Task.WhenAll(pending);
        latencies.Elapsed = clock.Elapsed;
        return latencies;
    }

    /// <summary>Waits until every submitted task is finished; returns each one's submit-to-finish time and the span.</summary>
    public async Task<(Latencies Latencies, int Completed)> WaitForAllAsync(IReadOnlyList<string> taskIds)
    {
        var latencies = new Latencies();
        var completed = 0;
        var first = DateTimeOffset.MaxValue;
        var last = DateTimeOffset.MinValue;
        var gate = new Lock();
        await Parallel.ForEachAsync(taskIds, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (taskId, cancellationToken) =>
        {
            while (true)
            {
                // An Api under overload may not answer in time: ask again.
                var task = await GetTaskAsync(taskId, cancellationToken);
                var status = task?["status"]!.GetValue<string>();
                if (status is not null && TaskSnapshot.IsFinalStatus(status))
                {
                    var created = task!["created_at"]!.GetValue<DateTimeOffset>();
                    var finished = task["updated_at"]!.GetValue<DateTimeOffset>();
                    latencies.Add(finished - created);
                    lock (gate)
                    {
                        completed += status == "Completed" ? 1 : 0;
                        first = created < first ? created : first;
                        last = finished > last ? finished : last;
                    }

                    return;
                }

                await Task.Delay(50, cancellationToken);
            }
        });
        latencies.Elapsed = last - first;
        return (latencies, completed);
    }

    async Task<JsonNode?> GetTaskAsync(string taskId, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetFromJsonAsync<JsonNode>($"/tasks/{taskId}", cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Every submitted task as <c>GET /tasks/{id}</c> shows it now.</summary>
    public async Task<IReadOnlyList<TaskSnapshot>> SnapshotAsync()
    {
        var tasks = new List<TaskSnapshot>();
        await Parallel.ForEachAsync(TaskIds.ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (taskId, cancellationToken) =>
        {
            var task = (await api.GetFromJsonAsync<JsonNode>($"/tasks/{taskId}", cancellationToken))!;
            var snapshot = new TaskSnapshot(
                Guid.Parse(taskId),
                task["status"]!.GetValue<string>(),
                task["budget"]!.GetValue<int>(),
                task["spent"]!.GetValue<int>(),
                task["error"]?["error"]?.GetValue<string>());
            lock (tasks)
                tasks.Add(snapshot);
        });
        return tasks;
    }

    /// <summary>One submission: its latency, or a failure when it is refused or not answered within the client's timeout.</summary>
    async Task TimedSubmitAsync(Latencies latencies)
    {
        var i = Interlocked.Increment(ref _submitted);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await api.PostAsJsonAsync("/tasks", new { theme = Themes[i % Themes.Length], budget = 20 + i % 40, voice_id = $"bench_{i}" });
            var elapsed = Stopwatch.GetElapsedTime(started);
            response.EnsureSuccessStatusCode();
            var taskId = (await response.Content.ReadFromJsonAsync<JsonNode>())!["task_id"]!.GetValue<string>();
            lock (TaskIds)
                TaskIds.Add(taskId);
            latencies.Add(elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            latencies.Fail();
        }
    }
}

sealed record TaskSnapshot(Guid TaskId, string Status, int Budget, int Spent, string? Error)
{
    public bool IsFinal => IsFinalStatus(Status);

    public static bool IsFinalStatus(string status) => status is "Completed" or "Failed" or "Cancelled";
}

/// <summary>Durations, and the span they were measured over.</summary>
sealed class Latencies
{
    readonly List<TimeSpan> _values = [];

    int _failures;

    public TimeSpan Elapsed { get; set; }
    public int Count => _values.Count;
    public int Failures => _failures;
    public double PerSecond => Count / Elapsed.TotalSeconds;

    public void Fail() => Interlocked.Increment(ref _failures);

    public void Add(TimeSpan value)
    {
        lock (_values)
            _values.Add(value);
    }

    public TimeSpan Percentile(double p)
    {
        lock (_values)
        {
            var sorted = _values.Order().ToList();
            return sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
        }
    }
}
