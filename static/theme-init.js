// Applies the stored theme choice (IndexedDB "citrate" → settings → "theme") to <html> before the
// app renders, so a dark-theme user sees no light flash. A classic script from our own origin,
// so it runs under `script-src 'self'`. It never creates the database: if "citrate" does not
// exist yet, the upgrade is aborted and the app's own migration creates it later.
(function () {
	try {
		var request = indexedDB.open('citrate');
		request.onupgradeneeded = function () {
			request.transaction.abort();
		};
		request.onerror = function (event) {
			event.preventDefault();
		};
		request.onsuccess = function () {
			var db = request.result;
			db.onversionchange = function () {
				db.close();
			};
			if (!db.objectStoreNames.contains('settings')) {
				db.close();
				return;
			}
			var get = db.transaction('settings', 'readonly').objectStore('settings').get('theme');
			get.onsuccess = function () {
				var value = get.result && get.result.value;
				if (value === 'light' || value === 'dark') document.documentElement.dataset.theme = value;
				db.close();
			};
			get.onerror = function () {
				db.close();
			};
		};
	} catch {
		// No IndexedDB here: the system preference (CSS) decides.
	}
})();
