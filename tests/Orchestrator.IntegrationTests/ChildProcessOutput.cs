using System.Diagnostics;
using System.Text;

namespace Orchestrator.IntegrationTests;

/// <summary>
/// What a test's child process (a host of the service, the x402 seller) writes on both streams, in order, for the
/// test's failure messages; and the wait until it answers over HTTP.
/// </summary>
public sealed class ChildProcessOutput
{
    readonly StringBuilder _text = new();

    public ChildProcessOutput(Process process)
    {
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Text
    {
        get
        {
            lock (_text)
                return _text.ToString();
        }
    }

    /// <summary>Waits until <paramref name="path"/> answers 2xx; fails with the output when the process exits or <paramref name="limit"/> passes.</summary>
    public async Task WaitUntilAnswersAsync(Process process, HttpClient client, string path, string name, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"{name} exited with {(process.HasExited ? process.ExitCode : 0)}\n{Text}");
            try
            {
                using var answer = await client.GetAsync(path);
                if (answer.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{name} did not answer {path} in time\n{Text}");
    }

    void Record(string? line)
    {
        if (line is null)
            return;
        lock (_text)
            _text.AppendLine(line);
    }
}
