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
    int _polls;

    /// <summary>How many times <see cref="WaitForAllAsync"/> asked for a task (<c>GET /tasks/{id}</c>).</summary>
    public int Polls => Volatile.Read(ref _polls);

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

    /// <summary>
    /// Open loop: one submission every 1/<paramref name="perSecond"/> s, whatever the answers take. Each one is
    /// timed from when it was due, not from when it was sent: a late start (this process's own queueing included)
    /// is waiting the client would see, and must not be hidden.
    /// </summary>
    public async Task<Latencies> SubmitAtRateAsync(int perSecond, TimeSpan duration)
    {
        var latencies = new Latencies();
        var start = Stopwatch.GetTimestamp();
        var pending = new List<Task>();
        var total = (int)(perSecond * duration.TotalSeconds);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait);
            var dueAt = start + (long)(due.TotalSeconds * Stopwatch.Frequency);
            pending.Add(Task.Run(() => TimedSubmitAsync(latencies, dueAt)));
        }

        await Task.WhenAll(pending);
        latencies.Elapsed = Stopwatch.GetElapsedTime(start);
        return latencies;
    }

    /// <summary>
    /// Waits until every submitted task is finished, or <paramref name="limit"/> (10 minutes) has passed; returns
    /// each finished one's submit-to-finish time and the span, and how many Completed.
    /// </summary>
    public async Task<(Latencies Latencies, int Completed)> WaitForAllAsync(IReadOnlyList<string> taskIds, TimeSpan? limit = null)
    {
        using var deadline = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(10));
        var latencies = new Latencies();
        var completed = 0;
        var first = DateTimeOffset.MaxValue;
        var last = DateTimeOffset.MinValue;
        var gate = new Lock();
        var polling = Parallel.ForEachAsync(taskIds, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = deadline.Token }, async (taskId, cancellationToken) =>
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
        try
        {
            await polling;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Console.WriteLine($"   not every task finished within {(limit ?? TimeSpan.FromMinutes(10)).TotalMinutes:F0} min");
        }

        latencies.Elapsed = last - first;
        return (latencies, completed);
    }

    async Task<JsonNode?> GetTaskAsync(string taskId, CancellationToken cancellationToken)
    {
        try
        {
            Interlocked.Increment(ref _polls);
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
                task["error"]?["error"]?.GetValue<string>(),
                task["created_at"]!.GetValue<DateTimeOffset>());
            lock (tasks)
                tasks.Add(snapshot);
        });
        return tasks;
    }

    /// <summary>
    /// One submission: its latency from <paramref name="dueAt"/> (a <see cref="Stopwatch"/> timestamp; now when not
    /// given), or a failure when it is refused or not answered within the client's timeout.
    /// </summary>
    async Task TimedSubmitAsync(Latencies latencies, long? dueAt = null)
    {
        var i = Interlocked.Increment(ref _submitted);
        var started = dueAt ?? Stopwatch.GetTimestamp();
        try
        {
            using var response = await api.PostAsJsonAsync("/tasks", new { theme = Themes[i % Themes.Length], budget = 20 + i % 40, voice_id = $"bench_{i}" });
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                latencies.Refuse();
                return;
            }

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

sealed record TaskSnapshot(Guid TaskId, string Status, int Budget, int Spent, string? Error, DateTimeOffset CreatedAt)
{
    public bool IsFinal => IsFinalStatus(Status);

    public static bool IsFinalStatus(string status) => status is "Completed" or "Failed" or "Cancelled";
}
