using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Playwright;

namespace Orchestrator.Tests.Api.Dashboard;

/// <summary>The Api on a free loopback port, and one headless Chromium for the class.</summary>
public class BrowserSession : IAsyncLifetime, IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Where the screenshots are left, in the test output.</summary>
    public static readonly string Artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");

    readonly ApiFactory _api;
    IPlaywright? _playwright;

    public BrowserSession()
        : this(new ApiFactory())
    {
    }

    protected BrowserSession(ApiFactory api) => _api = api;

    public ApiFactory Api => _api;

    public IBrowser Chromium { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _api.StartServer();
        BaseAddress = new Uri(_api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Client = new HttpClient { BaseAddress = BaseAddress };

        // Playwright's own browser download cannot work here: the system's Chromium is used instead.
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
    }

    public void Dispose()
    {
        _api.Dispose();
        GC.SuppressFinalize(this);
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
            await Chromium.DisposeAsync();
        _playwright?.Dispose();
        Client?.Dispose();
        await _api.DisposeAsync();
    }
}


/// <summary>The same with <c>Auth:Mode=Jwt</c>.</summary>
public sealed class JwtBrowserSession() : BrowserSession(new JwtApiFactory())
{
    public new JwtApiFactory Api => (JwtApiFactory)base.Api;

    public string TokenFor(string subject) => Api.TokenFor(subject);
}
