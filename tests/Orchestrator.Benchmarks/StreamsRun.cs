using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Benchmarks;

/// <summary>
/// The benchmark's burst (1,000 tasks from 32 clients) with every task watched: each POST is followed at once by
/// <c>GET /tasks/{id}/events</c>, held open until <c>final</c>. Reports how many streams were open at once, the
/// delay from a state change (its recorded time) to its event at the client, the Api's memory, and the workflows
/// per second of the same burst without streams beforehand.
/// </summary>
static class StreamsRun
{
    public static async Task<string> RunAsync(string repository, string mode, int tasks = 1000)
    {
        await using var deployment = await Deployment.StartAsync(repository, workers: mode switch { "rabbitmq-1" => 1, "rabbitmq-2" => 2, _ => 0 });
        var api = deployment.Api;
        using var http = new HttpClient { BaseAddress = api.Address, Timeout = TimeSpan.FromSeconds(30) };
        using var streaming = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = api.Address, Timeout = Timeout.InfiniteTimeSpan };

        var warmUp = new Load(http);
        await warmUp.SubmitFlatOutAsync(clients: 8, TimeSpan.FromSeconds(2), maxTasks: 300);
        await warmUp.WaitForAllAsync(warmUp.TaskIds);
        // The same burst unwatched first, under the same conditions, for comparison.
        var unwatched = new Load(http);
        using var unwatchedPeak = new PeakMemory(api);
        await unwatched.SubmitFlatOutAsync(clients: 32, TimeSpan.FromMinutes(1), maxTasks: tasks);
        var (baseline, _) = await unwatched.WaitForAllAsync(unwatched.TaskIds);
        var unwatchedMiB = await unwatchedPeak.StopAsync();
        await Task.Delay(1000);
        using var watchedPeak = new PeakMemory(api);

        var delays = new Latencies();
        var streams = new List<Task<bool>>();
        var (open, maxOpen, submitted) = (0, 0, 0);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async client =>
        {
            while (Interlocked.Increment(ref submitted) <= tasks)
            {
                using var response = await http.PostAsJsonAsync("/tasks", new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = $"voice_{client}" });
                var taskId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
                lock (streams)
                    streams.Add(FollowAsync(taskId));
            }
        }));

        async Task<bool> FollowAsync(string taskId)
        {
            var now = Interlocked.Increment(ref open);
            InterlockedMax(ref maxOpen, now);
            try
            {
                using var response = await streaming.GetAsync($"/tasks/{taskId}/events", HttpCompletionOption.ResponseHeadersRead);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                var type = "";
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                        type = line[7..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && type == "state")
                        delays.Add(DateTimeOffset.UtcNow - JsonNode.Parse(line[6..])!["at"]!.GetValue<DateTimeOffset>());
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && type == "final")
                        return true;
                }

                return false;
            }
            finally
            {
                Interlocked.Decrement(ref open);
            }
        }

        var ended = await Task.WhenAll(streams);
        var elapsed = clock.Elapsed;
        var watchedMiB = await watchedPeak.StopAsync();

        // Delays of events replayed on connect (changes made before the stream opened) are left out: they measure
        // how long the client took to connect, not how fast a change reaches it.
        return string.Create(CultureInfo.InvariantCulture,
            $"| {mode} | {tasks} | {maxOpen} | {ended.Count(e => e)} | {tasks / baseline.Elapsed.TotalSeconds:F0} → {tasks / elapsed.TotalSeconds:F0} | {delays.Percentile(50).TotalMilliseconds:F0} | {delays.Percentile(99).TotalMilliseconds:F0} | {unwatchedMiB:F0} → {watchedMiB:F0} |");
    }

    static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
